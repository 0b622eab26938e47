"""Differential test of SL3040: string literals (and NULLs) inserted into DATE / TIMESTAMP
columns.  Spark with its legacy store assignment casts them (its default ANSI policy rejects
the statement); the translation writes the values Spark's cast reads.  Generated rows of
date-like strings (ISO forms, Spark's short forms, a 'T' separator, impossible days, garbage,
NULL) are inserted on PySpark 4 and on Flink 2.3 (batch, a filesystem table) and read back:
the rows must be equal."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import strategies as st

from fn_engines import draw_rows
import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

_strings = st.one_of(
    st.none(),
    st.sampled_from(["2020", "2020-1-5", "2020-01-01T10:00", "2020-02-30", "garbage", "2019-12-31 23:59:59",
                     "2020-01-01 9:05", "2020-01-01 10:00:00.123"]),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)).map(dt.date.isoformat),
    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)).map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S")),
)


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value + "'"


def test_inserted_strings_match_spark(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = draw_rows(st.fixed_dictionaries({"d": _strings, "ts": _strings}), min_size=20, max_size=25)
    values = ", ".join(f"({r['id']}, {_literal(r['d'])}, {_literal(r['ts'])})" for r in rows)
    insert = f"INSERT INTO x (id, d, ts) VALUES {values}"
    spark.conf.set("spark.sql.storeAssignmentPolicy", "LEGACY")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        spark.sql("DROP TABLE IF EXISTS x")
        spark.sql(f"CREATE TABLE x (id INT, d DATE, ts TIMESTAMP) USING parquet LOCATION '{tmp_path / 'spark'}'")
        spark.sql(insert)
        expected = sorted(tuple(r) for r in spark.sql("SELECT id, d, ts FROM x").collect())
        spark.sql("DROP TABLE x")
    finally:
        spark.conf.unset("spark.sql.storeAssignmentPolicy")
        spark.conf.set("spark.sql.ansi.enabled", "true")
    result = shiftleft.transpile(insert, read="spark", mode="batch",
                                 schema={"x": {"id": "INT", "d": "DATE", "ts": "TIMESTAMP"}})
    assert result.ok, result.diagnostics
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [
        f"CREATE TABLE x (id INT, d DATE, ts TIMESTAMP(6)) WITH ('connector' = 'filesystem', "
        f"'path' = '{tmp_path / 'flink'}', 'format' = 'json')"])
    runner.execute(env, result.statements[0].sql.rstrip().rstrip(";"))
    got = sorted(runner.query(env, "SELECT id, d, ts FROM x").rows)
    assert got == expected
