"""Differential test of string <-> DATE / TIMESTAMP comparisons (rule SL3016) on the engines.

Spark coerces the string side of a comparison with a DATE or TIMESTAMP (and widens a DATE
facing a TIMESTAMP); the translation makes the casts explicit.  Generated rows of dates,
timestamps and date-like strings (ISO forms, Spark's short forms, garbage, NULL) run on
PySpark 4 (ANSI off: a string Spark cannot read gives NULL, the TRY_CAST policy) and on
Flink 2.3 in batch mode; the results must be equal.  Literals use Spark's short forms
('2020', '2020-1-5', '2020-01-01T10:00'), which Flink's own implicit cast rejects.

``IN`` lists follow Spark 4's default ANSI coercion (the strings are cast to DATE); with ANSI
off Spark compares an IN list as strings (``d IN ('2020-1-1')`` is false there): those cases
run on Spark with ANSI on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fn_engines import exact_run, temporal_table, translate_strict

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {"t": {"id": "INT", "d": "DATE", "ts": "TIMESTAMP", "s": "STRING"}}
_dates = st.one_of(st.none(), st.dates(dt.date(2019, 12, 25), dt.date(2020, 1, 10)))
_times = st.one_of(st.none(), st.datetimes(dt.datetime(2019, 12, 31), dt.datetime(2020, 1, 2)).map(
    lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)))
# column strings: the forms Flink's TRY_CAST reads as Spark does (others: the SL3016 warning)
_strings = st.one_of(
    st.none(), st.sampled_from(["", "garbage", "2020-01-01", "2020-1-5", "2019-12-31", "2020-02-30"]),
    _dates.map(lambda d: d.isoformat() if d else None),
)
EXPRS = [
    "d = s", "d > s", "s <= d", "d < ts", "ts >= d", "d = '2020'", "d > '2020-1-5'",
    "d = '2020-01-01T10:00'", "d BETWEEN '2020' AND '2020-01-03'", "ts > '2020-01-01 9:00'",
    "ts = '2020-01-01T00:00:00'", "ts < '2020-01'", "ts BETWEEN '2020-01-01' AND '2020-01-01 12:00:00.5'",
    "d <=> s", "d <> 'garbage'", "ts > d",
]
ANSI_EXPRS = ["d IN ('2020-1-1', '2020-01-02')", "ts IN ('2020-01-01', '2020-01-01 09:00')"]


def _rows() -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=5, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(st.fixed_dictionaries({"d": _dates, "ts": _times, "s": _strings}), min_size=45, max_size=50))
    def draw(rows: list[dict[str, Any]]) -> None:
        drawn.extend(rows)

    draw()
    fixed = [{"d": dt.date(2020, 1, 1), "ts": dt.datetime(2020, 1, 1), "s": "2020-01-01"},
             {"d": dt.date(2020, 1, 5), "ts": dt.datetime(2020, 1, 1, 9), "s": "2020-1-5"}]
    return [{"id": k, **r} for k, r in enumerate(drawn + fixed)]


def test_temporal_comparisons_match_spark(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = _rows()
    assert len(rows) >= 200
    runner, env = temporal_table(spark, flink_planner, tmp_path, rows)
    flink_exprs = [translate_strict(e, " FROM t", SCHEMA) for e in EXPRS]
    assert exact_run(spark, runner, env, EXPRS, flink_exprs, aggregate=False) == {}
    flink_exprs = [translate_strict(e, " FROM t", SCHEMA) for e in ANSI_EXPRS]
    assert exact_run(spark, runner, env, ANSI_EXPRS, flink_exprs, aggregate=False, ansi=True) == {}
