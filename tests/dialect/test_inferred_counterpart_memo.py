"""``inferred_counterpart`` with a statement memo: the same answers as annotating afresh, one
annotation per statement for the nodes it holds while rules rewrite around them, a new one for
a node made after it."""

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


def _counted(monkeypatch: Any) -> list[int]:
    calls: list[int] = []
    real = flink_typing._annotated

    def counted(*args: Any) -> exp.Expr | None:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(flink_typing, "_annotated", counted)
    return calls


def test_one_annotation_per_statement_while_rules_rewrite_around_the_nodes(monkeypatch: Any) -> None:
    """A rule typing each IF's NULL branch in turn (SL1070) annotates the statement once, not
    once per IF (which was quadratic in the IFs of a statement: a 3,000-line dbt model took
    minutes)."""
    calls = _counted(monkeypatch)
    items = ", ".join(f"IF(a > {i}, {'s' if i % 2 else 'd'}, NULL) AS c{i}" for i in range(40))
    tree = sqlglot.parse_one(f"WITH r AS (SELECT a, s, d FROM t) SELECT {items} FROM r", read="spark")
    memo: dict[Any, Any] = {}
    for i, node in enumerate(list(tree.find_all(exp.If))):
        twin = inferred_counterpart(node, SCHEMA, "spark", memo)
        assert twin is not None
        assert str(twin.args["true"].type) == ("TEXT" if i % 2 else "DOUBLE")
        node.args["false"].replace(exp.Cast(this=exp.Null(), to=twin.args["true"].type.copy()))
    assert len(calls) == 1


def test_a_node_made_after_the_annotation_annotates_again(monkeypatch: Any) -> None:
    calls = _counted(monkeypatch)
    tree = sqlglot.parse_one("WITH r AS (SELECT a FROM t) SELECT a FROM r UNION ALL SELECT NULL FROM r", read="spark")
    union = tree.find(exp.Union)
    assert union is not None
    memo: dict[Any, Any] = {}
    first = inferred_counterpart(union, SCHEMA, "spark", memo)
    assert first is not None and inferred_counterpart(union, SCHEMA, "spark", memo) is first
    assert len(calls) == 1
    made = exp.union(union.left.copy(), union.right.copy(), distinct=False)
    union.replace(made)  # a rule replaced the node: the new one has no counterpart yet
    again = inferred_counterpart(made, SCHEMA, "spark", memo)
    assert len(calls) == 2
    assert again is not None and again is not first
