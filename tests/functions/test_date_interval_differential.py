"""Differential test of DATE / TIMESTAMP arithmetic with interval literals on the engines:
DATE +/- an interval of hours, minutes or seconds (SL3041: a TIMESTAMP in Spark, a DATE with
the hours dropped in Flink unless cast), comparisons of a TIMESTAMP with ``d - INTERVAL n
DAYS`` (SL3016 knows the DATE type of the difference), and intervals of more than two digits
(Flink's INTERVAL '120' DAY is DAY(2): the generator writes the precision).  Generated rows
run on PySpark 4 and on Flink 2.3 in batch mode; the results must be equal."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import strategies as st

from fn_engines import draw_rows, exact_run, translate_strict
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {"t": {"id": "INT", "d": "DATE", "ts": "TIMESTAMP"}}
_dates = st.one_of(st.none(), st.dates(dt.date(2019, 12, 25), dt.date(2020, 1, 10)))
_times = st.one_of(st.none(), st.datetimes(dt.datetime(2019, 12, 20), dt.datetime(2020, 1, 12)).map(
    lambda t: t.replace(microsecond=0)))
EXPRS = [
    "d + INTERVAL 2 HOURS", "d - INTERVAL 90 MINUTES", "INTERVAL 30 SECONDS + d", "d + INTERVAL 1 DAY",
    "d - INTERVAL 150 DAYS", "ts - INTERVAL 1000 HOURS", "ts + INTERVAL 120 DAYS", "ts + INTERVAL 100 MINUTES",
    "ts >= d - INTERVAL 7 DAYS", "ts < d + INTERVAL 2 HOURS", "d + INTERVAL 26 HOURS > ts",
]


def test_date_interval_arithmetic_matches_spark(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = draw_rows(st.fixed_dictionaries({"d": _dates, "ts": _times}))
    spark.createDataFrame([(r["id"], r["d"], r["ts"]) for r in rows], "id INT, d DATE, ts TIMESTAMP") \
        .createOrReplaceTempView("t")
    path = write_json_lines(tmp_path / "t.json", (
        {**r, "d": r["d"] and r["d"].isoformat(), "ts": r["ts"] and r["ts"].strftime("%Y-%m-%d %H:%M:%S")}
        for r in rows))
    ddl = seed_table_ddl("t", [("id", "INT"), ("d", "DATE"), ("ts", "TIMESTAMP(3)")], path)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [ddl])
    flink_exprs = [translate_strict(e, " FROM t", SCHEMA) for e in EXPRS]
    assert exact_run(spark, runner, env, EXPRS, flink_exprs, aggregate=False) == {}
