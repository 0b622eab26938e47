"""Source tables shiftleft declares itself (``sources=True``, no schema) are typed by how the
script uses their columns (:mod:`shiftleft.streaming.use_types`): ``nvl(c, 0)``, ``c + 1``,
``c = 5`` make a number, ``c + INTERVAL`` a timestamp, string functions a string.  Generated
queries mixing those uses over a few columns (joined, in CTEs and correlated subqueries): every
translation either plans on the Flink 2.3 streaming planner with the Kafka connector, sources
included, or carries an error (SL3045 when the uses need two types, SL3044 for a column a CTE
does not output).  Before, ``COALESCE(STRING, INT)`` and ``STRING + INTERVAL`` were rejected by
the planner with no error (36 of 150 generated streaming queries, seed 4242).

Migrate types an undeclared source column with the same inference: the same uses give the same
type there."""

from __future__ import annotations

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.migration.columns import demanded_columns

USES = (
    "nvl({c}, 0)", "{c} + 1", "{c} > 5", "{c} = 5", "{c} IN (1, 2)", "upper(trim({c}))", "substring({c}, 1, 2)",
    "{c} LIKE '%a%'", "{c} = 'x'", "coalesce({c}, 'n/a')", "concat({c}, '-')", "{c} + INTERVAL 1 HOUR",
    "hour({c})", "datediff({c}, {c})", "CASE WHEN {c} IS NULL THEN 0 ELSE {c} END", "if({c} > 3, 'a', 'b')",
    "{c} = CAST('2024-01-01' AS DATE)", "{c} IS NOT NULL", "lpad({c}, 3, '0')", "size(split({c}, ','))",
)  # fmt: skip
AGGREGATES = ("sum({c})", "avg({c})", "max({c})", "count(DISTINCT {c})")


def _query(uses: list[tuple[str, int]], shape: str, aggregate: tuple[str, int] | None) -> str:
    items = [u.format(c=f"a.c{k}") for u, k in uses]
    select = ", ".join(f"{item} AS e{i}" for i, item in enumerate(items))
    if aggregate is not None:
        select = f"{aggregate[0].format(c=f'a.c{aggregate[1]}')} AS g, " + ", ".join(
            f"max({item}) AS e{i}" for i, item in enumerate(items)
        )
    if shape == "join":
        return f"SELECT {select} FROM src AS a JOIN other AS b ON a.c0 = b.k WHERE b.v IS NOT NULL"
    if shape == "exists":
        return f"SELECT {select} FROM src AS a WHERE EXISTS (SELECT 1 FROM other AS b WHERE b.k = a.c1)"
    if shape == "cte":
        inner = ", ".join(f"c{k}" for k in sorted({k for _, k in uses} | ({aggregate[1]} if aggregate else set())))
        return f"WITH base AS (SELECT {inner} FROM src) SELECT {select.replace('a.c', 'q.c')} FROM base AS q"
    return f"SELECT {select} FROM src AS a"


@pytest.mark.slow
@pytest.mark.flink
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    uses=st.lists(st.tuples(st.sampled_from(USES), st.integers(0, 2)), min_size=1, max_size=5),
    shape=st.sampled_from(["plain", "join", "exists", "cte"]),
    aggregate=st.none() | st.tuples(st.sampled_from(AGGREGATES), st.integers(0, 2)),
)
def test_inferred_sources_plan_or_are_reported(
    flink_planner_connectors, uses: list[tuple[str, int]], shape: str, aggregate: tuple[str, int] | None
) -> None:  # type: ignore[no-untyped-def]
    sql = _query(uses, shape, aggregate)
    result = shiftleft.transpile(sql, read="spark", sources=True)
    if not result.ok:
        return
    report = flink_planner_connectors.plan(result.sql, mode="streaming")
    assert report.ok, f"{sql}\n{result.sql}\n{report.errors[0].message}"


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        ("nvl(c, 0)", "DOUBLE"), ("c + 1", "DOUBLE"), ("c = 5", "DOUBLE"), ("c > 5", "DOUBLE"),
        ("sum(c)", "DOUBLE"), ("c + INTERVAL 1 HOUR", "TIMESTAMP(3)"), ("hour(c)", "TIMESTAMP(3)"),
        ("c = CAST('2024-01-01' AS DATE)", "DATE"), ("upper(c)", "STRING"), ("c > 5 AND upper(c) = 'X'", "STRING"),
        ("CASE WHEN c IS NULL THEN 0 ELSE c END", "DOUBLE"), ("c IS NOT NULL", "STRING"),
    ],
)  # fmt: skip
def test_transpile_and_migrate_type_a_use_alike(use: str, expected: str) -> None:
    sql = f"SELECT {use} AS e FROM src"
    result = shiftleft.transpile(sql, read="spark", sources=True)
    assert f"  c {expected}" in result.sources[0], result.sources[0]
    migrated = dict(demanded_columns("src", [sqlglot.parse_one(sql, read="spark")]))
    assert (migrated["c"] or "STRING") == expected


def test_conflicting_uses_are_reported_where_they_are() -> None:
    result = shiftleft.transpile("SELECT nvl(c, 0) AS a,\n  upper(c) AS b FROM src", read="spark", sources=True)
    [error] = [d for d in result.diagnostics if d.rule_id == "SL3045"]
    assert (error.line, error.column) == (2, 3) and "column c" in error.message
