"""date_add / date_sub with a day count Spark converts (a string such as '1', an untyped NULL):
Flink's TIMESTAMPADD takes only an INTEGER, so the count is cast (SL1011 / SL1012).  Found on
Apache Spark's SQL tests (date.sql), where the planner rejected 8 translated statements.  The
translations run on Flink 2.3 (batch) and their dates are checked against Spark's rule:
the date part plus (or minus) the count, NULL for a NULL count."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

CASES = st.tuples(
    st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.one_of(st.none(), st.integers(min_value=-400, max_value=400)),
    st.sampled_from(["int", "string"]),
    st.sampled_from(["date_add", "date_sub"]),
    st.sampled_from(["date", "string", "timestamp"]),
)


def _spark_sql(start: dt.date, n: int | None, kind: str, fn: str, base: str) -> str:
    count = "null" if n is None else (f"'{n}'" if kind == "string" else str(n))
    arg = {"date": f"date'{start}'", "string": f"'{start}'", "timestamp": f"timestamp'{start} 13:45:00'"}[base]
    return f"{fn}({arg}, {count})"


@pytest.fixture(scope="module")
def runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CASES, min_size=1, max_size=8))
def test_day_counts_spark_converts_run_on_flink(runner, cases) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT " + ", ".join(_spark_sql(*c) for c in cases)
    result = shiftleft.transpile(sql, read="spark", mode="batch")
    assert result.ok, [d.message for d in result.diagnostics]
    env = runner.environment("batch")
    rows = runner.query(env, result.statements[0].sql).rows
    expected = tuple(
        None if n is None else start + dt.timedelta(days=n if fn == "date_add" else -n)
        for start, n, _, fn, _ in cases
    )
    assert rows == [expected], f"{sql}\n -> {result.statements[0].sql}"
