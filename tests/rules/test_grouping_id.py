"""SL1117: Spark's ``grouping__id`` column / ``grouping_id()`` run on Flink 2.3 (batch) as
``GROUPING_ID(<grouping expressions>)`` and give the same ids as DuckDB's ``GROUPING(...)`` over
the same data, for generated CUBE / ROLLUP / GROUPING SETS.  Found on Apache Spark's SQL tests
(group-analytics.sql, grouping_set.sql: "Column 'grouping__id' not found")."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

ROWS = [(1, 1, 5), (1, 2, 6), (2, 1, 7), (2, 2, 8), (3, 1, 9)]
VALUES = ", ".join(str(r) for r in ROWS)
#: Spark GROUP BY clause -> the grouping expressions in Spark's order
FORMS = {
    "CUBE(a, b)": ["a", "b"],
    "ROLLUP(a, b)": ["a", "b"],
    "ROLLUP(b, a)": ["b", "a"],
    "GROUPING SETS ((a), (b))": ["a", "b"],
    "GROUPING SETS ((a, b), (a), ())": ["a", "b"],
    "GROUPING SETS ((b), (a + b))": ["b", "a + b"],
}


@pytest.fixture(scope="module")
def runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(FORMS)), st.sampled_from(["grouping__id", "grouping_id()", "GROUPING__ID"]), st.booleans())
def test_grouping_id_matches_duckdb(runner, form, spelling, having) -> None:  # type: ignore[no-untyped-def]
    keys = FORMS[form]
    where = f" HAVING {spelling} >= 0" if having else ""
    spark = f"SELECT {spelling} AS g, COUNT(*) AS n FROM VALUES {VALUES} AS t(a, b, c) GROUP BY {form}{where}"
    result = shiftleft.transpile(spark, read="spark", mode="batch")
    assert result.ok, [d.message for d in result.diagnostics]
    flink_rows = runner.query(runner.environment("batch"), result.statements[0].sql).rows
    duck = duckdb.sql(
        f"SELECT GROUPING({', '.join(keys)}) AS g, COUNT(*) AS n FROM (VALUES {VALUES}) AS t(a, b, c) GROUP BY {form}"
    ).fetchall()
    assert sorted(flink_rows) == sorted(duck), f"{spark}\n -> {result.statements[0].sql}"
