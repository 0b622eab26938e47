"""Interval literals with a leading field of more than two digits (``INTERVAL 120 DAYS``):
Flink reads ``INTERVAL '120' DAY`` as DAY(2) and rejects it.  Every translation of generated
intervals is either reported or accepted by the Flink 2.3 planner, and the values Flink
computes with them are Spark's (timestamp + interval, checked against Python's arithmetic,
which is Spark's for day-time units)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.flink_engine.runner import FlinkRunner

pytestmark = [pytest.mark.slow, pytest.mark.flink]

DDL = "CREATE TABLE t (ts TIMESTAMP(3)) WITH ('connector' = 'datagen', 'number-of-rows' = '1')"
UNITS = ("DAY", "HOUR", "MINUTE", "SECOND", "MONTH", "YEAR")
DAY_TIME = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}

intervals = st.tuples(
    st.sampled_from(UNITS),
    st.integers(min_value=-(10**7), max_value=10**7) | st.integers(min_value=-999, max_value=999),
    st.sampled_from(["INTERVAL {n} {u}S", "INTERVAL '{n}' {u}", "INTERVAL {n} {u}"]),
)


def _translated(unit: str, n: int, form: str) -> shiftleft.TranspileResult:
    interval = form.format(n=n, u=unit)
    return shiftleft.transpile(f"SELECT ts + {interval} AS x FROM t", read="spark", mode="batch")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(intervals, min_size=1, max_size=8))
def test_intervals_plan_or_are_reported(flink_planner, cases) -> None:  # type: ignore[no-untyped-def]
    session = flink_planner.session("batch")
    assert session.plan(DDL + ";").ok
    for unit, n, form in cases:
        result = _translated(unit, n, form)
        if not result.ok:
            continue
        planned = session.plan(result.statements[0].sql)
        assert planned.ok, f"{result.statements[0].sql}: {planned.errors[0].message}"


def test_interval_values_are_spark_values(flink_planner) -> None:  # type: ignore[no-untyped-def]
    """The translated intervals add what Spark adds (day-time units: exact durations)."""
    start = dt.datetime(2020, 1, 1)
    cases = [("DAY", 120), ("DAY", -150), ("HOUR", 1000), ("MINUTE", 123), ("SECOND", 1234567), ("DAY", 7)]
    columns = []
    for unit, n in cases:
        sql = _translated(unit, n, "INTERVAL {n} {u}S").statements[0].sql
        columns.append(sql.split("SELECT ", 1)[1].split(" AS x", 1)[0])
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch")
    rows = runner.query(env, "SELECT " + ", ".join(c.replace("ts", "TIMESTAMP '2020-01-01 00:00:00'") for c in columns)).rows
    expected = tuple(start + dt.timedelta(seconds=n * DAY_TIME[unit]) for unit, n in cases)
    assert rows == [expected]
