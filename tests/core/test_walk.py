"""The rules' fast tree walks give exactly what sqlglot's own walks give, on real queries (the
repository's dbt-style models, the rule examples) and generated nestings of queries, hints and
CTEs; the context's shared facts are dropped when a rule changed the tree."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from shiftleft.models import Mode, Target
from shiftleft.rewrite import RuleContext
from shiftleft.rewrite.registry import builtin_rules
from shiftleft.rewrite.walk import in_hint, own_nodes
from shiftleft.tree import find_all

ROOT = Path(__file__).resolve().parents[2]
_TYPES = (exp.Column, exp.Func, exp.Select, exp.Subquery, exp.Table, exp.Literal, exp.Window)


def _corpus() -> list[str]:
    found = [f.read_text() for f in sorted((ROOT / "benchmarks" / "corpus" / "dbt_models").glob("*.sql"))]
    found += [e.before for r in builtin_rules() for e in r.examples if e.read == "spark"]
    return found


def _trees(sql: str) -> list[exp.Expr]:
    try:
        return [t for t in sqlglot.parse(sql, read="spark") if t is not None]
    except sqlglot.errors.SqlglotError:
        return []


@st.composite
def _queries(draw: st.DrawFn, depth: int = 0) -> str:
    """A SELECT with, at random, a hint, a CTE, a subquery in FROM / WHERE / a projection."""
    inner = (lambda: draw(_queries(depth + 1))) if depth < 3 else (lambda: "SELECT 1 AS a")
    hint = draw(st.sampled_from(["", "/*+ BROADCAST(t) */ ", "/*+ REPARTITION(3, a) */ "]))
    projection = draw(st.sampled_from(["a", "upper(s) AS u", "count(*) AS n", f"({inner()}) AS q"]))
    source = draw(st.sampled_from(["t", f"({inner()}) AS t", "c AS t"]))
    where = draw(st.sampled_from(["", " WHERE a > 1", f" WHERE a IN ({inner()})", " WHERE abs(a) = 2"]))
    with_ = draw(st.sampled_from(["", f"WITH c AS ({inner()}) "]))
    return f"{with_}SELECT {hint}{projection} FROM {source}{where}"


def _reference_own(select: exp.Expr) -> list[exp.Expr]:
    """Preorder of ``select``'s tree, not entering nested SELECTs (sqlglot's own walk)."""
    found: list[exp.Expr] = []

    def visit(node: exp.Expr) -> None:
        found.append(node)
        if node is not select and isinstance(node, exp.Select):
            return
        for child in node.iter_expressions():
            visit(child)

    visit(select)
    return found


def _check(tree: exp.Expr) -> None:
    assert [id(n) for n in find_all(tree, _TYPES)] == [id(n) for n in tree.find_all(*_TYPES)]
    for node in tree.walk():
        assert in_hint(node) == (node.find_ancestor(exp.Hint) is not None)
    for select in tree.find_all(exp.Select):
        assert [id(n) for n in own_nodes(select, exp.Expr)] == [id(n) for n in _reference_own(select)]
        assert [id(n) for n in own_nodes(select, exp.Column)] == [
            id(n) for n in _reference_own(select) if isinstance(n, exp.Column)
        ]


@pytest.mark.parametrize("sql", _corpus())
def test_walks_match_sqlglot_on_the_corpus(sql: str) -> None:
    for tree in _trees(sql):
        _check(tree)


@settings(max_examples=60, deadline=None)
@given(_queries())
def test_walks_match_sqlglot_on_generated_nestings(sql: str) -> None:
    trees = _trees(sql)
    assert trees, sql
    for tree in trees:
        _check(tree)


def _ctx() -> RuleContext:
    return RuleContext(target=Target.FLINK, mode=Mode.STREAMING, read="spark", statement=1)


def test_a_fact_is_computed_once_until_the_tree_changes() -> None:
    ctx, node, calls = _ctx(), exp.column("a"), []

    def compute(n: exp.Expr) -> str:
        calls.append(n)
        return n.name

    assert ctx.fact("name", node, compute) == "a"
    assert ctx.fact("name", node, compute) == "a"
    assert len(calls) == 1
    ctx.changes += 1  # the engine counts each change a rule made
    assert ctx.fact("name", node, compute) == "a"
    assert len(calls) == 2
    other = exp.column("b")
    assert ctx.fact("name", other, compute) == "b"  # another node: its own fact


def test_own_nodes_of_the_context_are_fresh_lists_and_follow_changes() -> None:
    ctx = _ctx()
    select = sqlglot.parse_one("SELECT a, b FROM t WHERE c > (SELECT max(d) FROM u)", read="spark")
    first = ctx.own_nodes(select, exp.Column)
    assert [c.name for c in first] == ["a", "b", "c"]
    first.clear()  # a rule's list is its own
    assert [c.name for c in ctx.own_nodes(select, exp.Column)] == ["a", "b", "c"]
    select.select("e", copy=False)
    ctx.changes += 1
    assert [c.name for c in ctx.own_nodes(select, exp.Column)] == ["a", "b", "e", "c"]
