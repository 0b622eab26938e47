"""The derivation's shared walk (``query_holders``: which nodes hold a nested query, computed
once per derivation) answers as the walk of each node it replaces, on generated queries with
subqueries in every clause, and when a rule derives part of a statement whose CTEs are
defined outside that part."""

from __future__ import annotations

import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

import shiftleft  # noqa: F401 - registers the Flink dialect
from shiftleft.derive import Mode, append_source, derive, upsert_source
from shiftleft.derive.engine import _Deriver
from shiftleft.derive.joins import has_query
from shiftleft.tree import find_all

CATALOG = {
    "a": append_source(["id", "k", "v", "s", "ts"], ["ts"]),
    "u": upsert_source(["id", "k", "v", "s", "ts"], ["id"], ["ts"]),
}

_SCALAR = st.sampled_from(["(SELECT MAX(v) FROM a AS x)", "(SELECT COUNT(*) FROM u AS y WHERE y.k = t.k)"])


def _expression(leaf: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: f"({p[0]} + {p[1]})"),
            inner.map(lambda e: f"COALESCE({e}, 0)"),
            st.tuples(inner, inner).map(lambda p: f"CASE WHEN {p[0]} > 0 THEN {p[1]} ELSE 1 END"),
        ),
        max_leaves=4,
    )


_EXPR = _expression(st.sampled_from(["t.v", "t.k", "1", "t.id"]) | _SCALAR)
_PLAIN = _expression(st.sampled_from(["t.v", "t.k", "1"]))


@st.composite
def _queries(draw: st.DrawFn) -> str:
    items = draw(st.lists(_EXPR, min_size=1, max_size=3))
    select = ", ".join(f"{e} AS c{i}" for i, e in enumerate(items))
    where = draw(st.lists(st.one_of(
        _EXPR.map(lambda e: f"{e} > 0"),
        st.just("EXISTS (SELECT 1 FROM u AS z WHERE z.id = t.id)"),
        st.just("t.k IN (SELECT k FROM a AS w)"),
    ), max_size=2))
    join = draw(st.sampled_from(["", " JOIN u AS j ON j.id = t.id", " JOIN u AS j ON j.id = t.id AND j.v > (SELECT MIN(v) FROM a AS m)"]))
    group = draw(st.booleans())
    body = f"SELECT {select} FROM a AS t{join}"
    if where:
        body += " WHERE " + " AND ".join(where)
    if group:
        body = f"SELECT t.k AS c0, COUNT(*) AS n FROM a AS t{join} GROUP BY t.k"
        body += draw(st.sampled_from(["", " HAVING COUNT(*) > (SELECT COUNT(*) FROM u AS h)", f" HAVING {draw(_PLAIN)} > 1"]))
    if draw(st.booleans()):
        return f"WITH c AS ({body}) SELECT * FROM c AS r WHERE r.c0 > 0"
    return body


def _check(deriver: _Deriver, statement: exp.Expr) -> None:
    for select in find_all(statement, exp.Select):
        if id(select) not in deriver.results:
            continue  # not derived (outside the derived part)
        for node in find_all(select, exp.Expr):
            assert deriver.has_query(node) is has_query(node), node.sql("flink")


@settings(max_examples=150, deadline=None)
@given(_queries())
def test_query_holders_answer_as_the_walk(sql: str) -> None:
    statement = sqlglot.parse_one(sql, read="flink")
    deriver = _Deriver(CATALOG)
    assert deriver.run(statement) is not None
    _check(deriver, statement)
    for table in find_all(statement, exp.Table):  # what a rule derives: one FROM source
        part = _Deriver(CATALOG)
        assert part.run(table) is not None
        _check(part, statement)


def test_cte_outside_the_derived_part_sees_its_subquery() -> None:
    """A rule derives the FROM table ``c`` of a statement: the CTE body lies outside that part,
    and its scalar subquery still makes it a join (updating)."""
    statement = sqlglot.parse_one("WITH c AS (SELECT a.id, (SELECT MAX(v) FROM a AS b) AS m FROM a) SELECT * FROM c", read="flink")
    table = next(t for t in find_all(statement, exp.Table) if t.name == "c")
    assert derive(table, CATALOG).mode is Mode.UPDATING
    assert derive(table, CATALOG) == derive(statement, CATALOG)
