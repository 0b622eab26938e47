"""Source tables shiftleft declares itself (``sources=True``, no schema): a column the script
sums or averages is declared DOUBLE, one it reads a time of day from TIMESTAMP(3), the others
STRING.  Generated queries over such tables: every translation reported as translated plans,
sources included, on the Flink 2.3 batch planner with the Kafka connector."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

USES = ("SUM({c})", "AVG({c})", "SUM(CASE WHEN {c} IS NULL THEN 0 ELSE {c} END)", "SUM(coalesce({c}, 0))", "AVG(if({c} IS NULL, 0, {c}))", "stddev({c})", "hour({c})", "minute({c})", "extract(second FROM {c})",
        "date_trunc('hour', {c})", "upper({c})", "count({c})", "max({c})", "{c} = 'x'", "concat({c}, 'x')")
AGGREGATES = ("SUM", "AVG", "stddev", "count", "max")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(USES), min_size=1, max_size=5))
def test_inferred_sources_plan(flink_planner_connectors, uses) -> None:  # type: ignore[no-untyped-def]
    items = [u.format(c=f"c{k}") for k, u in enumerate(uses)]
    if any(u.startswith(AGGREGATES) for u in uses):
        items = [i if i.startswith(AGGREGATES) else f"max({i})" for i in items]
    sql = f"SELECT {', '.join(items)} FROM src"
    result = shiftleft.transpile(sql, read="spark", mode="batch", sources=True)
    if not result.ok:
        return
    report = flink_planner_connectors.plan(result.sql, mode="batch")
    assert report.ok, f"{sql}\n{result.sql}\n{report.errors[0].message}"
