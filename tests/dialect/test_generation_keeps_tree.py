"""The tree is read again after generation (the changelog derivation, the source tables' DDL),
so generation must leave every node linked to its holder.  Generation paths build new nodes
around the statement's: ours (shiftleft/dialects/flink_nulls.py, flink_shapes.py) and sqlglot's
(NVL2, SPACE, CONVERT_TIMEZONE, DATE_FROM_UNIX_DATE).  A node built around the tree's own
column took it away from its SELECT: ``concat_ws('-', x, x)``, ``to_array(x)`` and ``space(x)``
left ``x`` out of ``sources=True``'s DDL, and the planner said "Column 'x' not found in any
table" (found with generated streaming queries of a new seed).  ``generate`` puts the links
back after generating."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

import shiftleft
from shiftleft import pipeline
from shiftleft.generate import generate

CALLS = [
    ("spark", "concat_ws('-', {c}, {c})"), ("spark", "concat_ws({c}, NULL)"), ("snowflake", "concat_ws('|', {c}, b)"),
    ("snowflake", "to_array({c})"), ("spark", "greatest({c}, b)"), ("spark", "least({c}, 1)"),
    ("spark", "coalesce({c}, b)"), ("spark", "if({c} IS NULL, b, {c})"),
    # sqlglot's own generation paths that build a node around the tree's children
    ("spark", "nvl2({c}, b, 1)"), ("spark", "nvl2(b, {c}, b)"), ("spark", "space({c})"),
    ("snowflake", "convert_timezone('UTC', 'America/New_York', {c})"), ("spark", "date_from_unix_date({c})"),
]


def _links_kept(tree: exp.Expr) -> bool:
    return all(child.parent is node for node in tree.walk() for child in node.iter_expressions())


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=st.sampled_from(CALLS), column=st.sampled_from(["x", "col_1", "v"]), nested=st.booleans())
def test_generation_keeps_the_trees_columns(monkeypatch: pytest.MonkeyPatch, call: tuple[str, str], column: str,
                                            nested: bool) -> None:
    read, template = call
    expression = template.format(c=column)
    sql = f"SELECT {expression} AS e, b FROM t"
    if nested:
        sql = f"SELECT * FROM ({sql}) AS q WHERE b IS NOT NULL"
    kept: list[bool] = []

    def checked(tree, target, pretty=False):  # type: ignore[no-untyped-def]
        out = generate(tree, target, pretty=pretty)
        kept.append(_links_kept(tree))
        return out

    monkeypatch.setattr(pipeline, "generate", checked)
    result = shiftleft.transpile(sql, read=read, sources=True)
    assert kept == [True], result.sql
    assert re.search(rf"^  {column} \w+", result.sources[0], re.M), result.sources[0]
