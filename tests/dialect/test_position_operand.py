"""POSITION of any expression: Flink's parser takes no operator and no parentheses before
POSITION's IN (``POSITION('/' || k || '/' IN s)`` is a syntax error: dbt-project-evaluator's
folder check), so such a search string is written ``LOCATE(sub, s)``.  Checked on Flink 2.3
(planned and run) against DuckDB on the same rows."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

ROWS = [("b", "a/b/"), ("", "x"), (None, "abc"), ("a", None), ("c", "cc/c/"), ("/", "")]
#: search strings: atomic (POSITION is kept) and not (LOCATE)
OPERANDS = [
    "b",
    "'/'",
    "'/' || b || '/'",
    "b || '/'",
    "upper(b)",
    "coalesce(b, '')",
    "case when b = '' then '/' else b end",
    "(b)",
    "substr(b, 1, 1) || ''",
]


@pytest.fixture(scope="module")
def flink_env(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    runner = FlinkRunner(flink_planner, timeout_s=120)
    values = ", ".join(
        "(" + ", ".join("CAST(NULL AS STRING)" if v is None else f"'{v}'" for v in row) + ")" for row in ROWS
    )
    env = runner.environment("batch", [f"CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES {values}) AS v(b, s)"])
    return runner, env


def test_position_of_any_operand_plans_runs_and_equals_duckdb(flink_env: Any) -> None:
    runner, env = flink_env
    items = [f"position({operand} IN s) AS p{k}" for k, operand in enumerate(OPERANDS)]
    spark = f"SELECT b, s, {', '.join(items)} FROM t"
    result = shiftleft.transpile(spark, read="spark", mode="batch", schema={"t": {"b": "STRING", "s": "STRING"}})
    assert result.ok, result.diagnostics
    assert "LOCATE(" in result.sql and "POSITION(" in result.sql  # both forms are exercised
    flink = sorted(runner.query(env, result.sql.rstrip().rstrip(";")).rows, key=repr)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (b VARCHAR, s VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", ROWS)
    expected = sorted(con.execute(spark).fetchall(), key=repr)
    assert [tuple(r) for r in flink] == [tuple(r) for r in expected]
