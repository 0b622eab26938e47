"""Differential test of SL1130 (a time zone conversion from UTC to UTC) on the
engines: Spark's from_utc_timestamp / to_utc_timestamp with UTC's names and
convert_timezone between UTC's names, over generated timestamps, dates and
timestamp strings (garbage and NULL among them) on PySpark 4 (ANSI off: Spark's NULL for a
string it cannot read, SL3004's TRY_CAST policy) and on Flink 2.3 in batch mode.  Other zones
stay reported (SL9205), to_utc_timestamp included (its FromTimeZone node passed silently)."""

from __future__ import annotations

import datetime as dt

import pytest
import shiftleft
from hypothesis import strategies as st

from fn_engines import draw_rows, exact_run, temporal_table, translate_strict

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {"t": {"id": "INT", "d": "DATE", "ts": "TIMESTAMP", "s": "STRING"}}
_times = st.one_of(st.none(), st.datetimes(dt.datetime(1969, 12, 31), dt.datetime(2030, 1, 2)).map(
    lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)))
_row = st.fixed_dictionaries({
    "d": st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))),
    "ts": _times,
    "s": st.one_of(st.none(), st.sampled_from(["", "garbage", "2020-01-01", "2020-01-01 10:00:00.5"]),
                   _times.map(lambda t: t and t.isoformat(sep=" "))),
})
EXPRS = [
    "from_utc_timestamp(ts, 'UTC')", "to_utc_timestamp(ts, 'Etc/UTC')", "from_utc_timestamp(d, 'GMT')",
    "from_utc_timestamp(to_utc_timestamp(cast(s as timestamp), 'UTC'), 'UTC')", "to_utc_timestamp(s, 'UTC')",
    "convert_timezone('UTC', 'UTC', ts)", "convert_timezone('Etc/UTC', 'GMT', ts)",
]


def test_same_zone_conversions_match_spark(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = draw_rows(_row)
    runner, env = temporal_table(spark, flink_planner, tmp_path, rows)
    # as text to the millisecond: PyFlink cannot hand TIMESTAMP_LTZ rows to Python and reads
    # a TIMESTAMP's milliseconds through a float (1 ms -> 999 us); the session is UTC on both
    text = "yyyy-MM-dd HH:mm:ss.SSS"
    flink_exprs = [f"DATE_FORMAT(CAST({translate_strict(e, ' FROM t', SCHEMA)} AS TIMESTAMP(3)), '{text}')" for e in EXPRS]
    spark_exprs = [f"date_format({e}, '{text}')" for e in EXPRS]
    assert exact_run(spark, runner, env, spark_exprs, flink_exprs, aggregate=False) == {}


@pytest.mark.parametrize("expr", [
    "from_utc_timestamp(ts, 'America/New_York')", "to_utc_timestamp(ts, 'America/New_York')",
    "to_utc_timestamp(ts, s)", "convert_timezone('UTC', 'Asia/Kolkata', ts)",
    # not the identity: 02:30 of a spring-forward day is 03:30 in New York
    "convert_timezone('America/New_York', 'America/New_York', ts)",
])
def test_other_zones_are_reported(expr: str) -> None:
    result = shiftleft.transpile(f"SELECT {expr} AS c FROM t", read="spark", schema=SCHEMA)
    assert "SL9205" in {d.rule_id for d in result.diagnostics if d.severity.value == "error"}, result.statements[0].sql
