"""SL3007 leaves out the type annotation of the statement where it can only say UNKNOWN (a
plain column of tables no schema describes): the translation must be the one the annotation
gives, for generated UNIONs over tables, CTEs and subqueries, qualified / aliased / computed
columns, with and without a schema."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.dialects import flink_typing

RULE_MODULE = "shiftleft_rulepack_spark_syntax_union_null"

SOURCES = {
    "table": ("", "t"),
    "aliased table": ("", "t AS s"),
    "cte": ("WITH c AS (SELECT 1 AS a, 'x' AS b, 2 AS k) ", "c"),
    "cte named like the table": ("WITH t AS (SELECT 1 AS a, 'x' AS b, 2 AS k) ", "t"),
    "subquery": ("", "(SELECT 1 AS a, 'x' AS b, 2 AS k) AS q"),
    "join": ("", "t JOIN u ON t.k = u.k"),
}
PROJECTIONS = ["b", "b AS b", "b AS y", "{q}b", "SUM(a) AS b", "a AS b", "CONCAT(b, 'x') AS b", "k AS a, a AS z"]


def _statement(source: str, projection: str) -> str:
    with_, from_ = SOURCES[source]
    qualifier = from_.split()[-1] + "." if source != "join" else "t."
    first = projection.format(q=qualifier)
    width = first.count(",") + 1
    nulls = ", ".join(["NULL"] * width)
    group = " GROUP BY k" if "SUM(" in first else ""
    return f"{with_}SELECT {first} FROM {from_}{group} UNION ALL SELECT {nulls} FROM {from_}{group}"


def _translated(sql: str, schema: dict | None) -> tuple[str, list[str]]:
    result = shiftleft.transpile(sql, read="spark", schema=schema or {})
    return result.sql, [f"{d.rule_id} {d.message}" for d in result.diagnostics]


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(sorted(SOURCES)), st.sampled_from(PROJECTIONS), st.booleans())
def test_shortcut_gives_the_annotations_translation(source: str, projection: str, with_schema: bool) -> None:
    schema = {"t": {"a": "INT", "b": "STRING", "k": "INT"}} if with_schema else None
    sql = _statement(source, projection)
    shortcut = _translated(sql, schema)
    module = sys.modules[RULE_MODULE]
    original = module._untypable
    module._untypable = lambda *_: False  # always annotate, as before the shortcut
    try:
        annotated = _translated(sql, schema)
    finally:
        module._untypable = original
    assert shortcut == annotated


def test_union_of_undescribed_tables_is_not_annotated(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    original = flink_typing._annotated
    monkeypatch.setattr(flink_typing, "_annotated", lambda *a: calls.append(a) or original(*a))
    sql, notes = _translated("SELECT a, b FROM t UNION ALL SELECT a, NULL FROM u", None)
    assert calls == []
    assert any(n.startswith("SL3007") for n in notes)  # still reported: the type is not known
    sql, notes = _translated("WITH c AS (SELECT 1 AS b) SELECT b FROM c UNION ALL SELECT NULL FROM c", None)
    assert len(calls) == 1 and "CAST(NULL AS INT)" in sql  # a CTE's column: annotated and typed
