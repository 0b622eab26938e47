"""``inferred_counterpart`` with a statement memo: the same answers as annotating afresh, one
annotation while the tree is unchanged, a new one as soon as a rule changes the tree."""

from __future__ import annotations

from typing import Any

import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from shiftleft.dialects import flink_typing
from shiftleft.dialects.flink_typing import inferred_counterpart

SCHEMA = {"t": {"a": "INT", "s": "STRING", "d": "DOUBLE"}}
COLUMNS = ("a", "s", "d", "AVG(a)", "COUNT(*)", "UPPER(s)", "NULL")


def _types(node: exp.Expr | None) -> list[str] | None:
    if node is None:
        return None
    return [str(e.type) for e in node.find_all(exp.Column, exp.Alias, exp.Null)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from(COLUMNS), min_size=2, max_size=2), min_size=2, max_size=4))
def test_memo_answers_like_a_fresh_annotation(branches: list[list[str]]) -> None:
    sql = "WITH r AS (SELECT a, s, d FROM t) " + " UNION ALL ".join(
        f"SELECT {', '.join(f'{c} AS c{i}' for i, c in enumerate(b))} FROM r" for b in branches
    )
    tree = sqlglot.parse_one(sql, read="spark")
    memo: dict[Any, Any] = {}
    for node in tree.find_all(exp.Union):
        fresh = inferred_counterpart(node, SCHEMA, "spark")
        kept = inferred_counterpart(node, SCHEMA, "spark", memo)
        assert _types(kept) == _types(fresh)


def test_one_annotation_until_the_tree_changes(monkeypatch: Any) -> None:
    calls: list[int] = []
    real = flink_typing._annotated

    def counted(*args: Any) -> exp.Expr | None:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(flink_typing, "_annotated", counted)
    tree = sqlglot.parse_one("WITH r AS (SELECT a FROM t) SELECT a FROM r UNION ALL SELECT NULL FROM r", read="spark")
    union = tree.find(exp.Union)
    assert union is not None
    memo: dict[Any, Any] = {}
    first = inferred_counterpart(union, SCHEMA, "spark", memo)
    assert inferred_counterpart(union, SCHEMA, "spark", memo) is first
    assert len(calls) == 1
    null = tree.find(exp.Null)
    assert null is not None
    null.replace(exp.Cast(this=exp.Null(), to=exp.DataType.build("INT")))  # a rule rewrites in place
    again = inferred_counterpart(union, SCHEMA, "spark", memo)
    assert len(calls) == 2
    assert again is not first and again is not None
    assert again.find(exp.Cast) is not None
