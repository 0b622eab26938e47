"""SL3043 against the Flink 2.3 batch planner: generated aggregations mixing DISTINCT and plain
aggregates, ``collect_list`` / ``collect_set`` among them, are either reported or accepted."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

DDL = "CREATE TABLE t (a INT, b INT, s STRING, s2 STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10')"
AGGS = ("COUNT(DISTINCT s)", "COUNT(DISTINCT s2)", "SUM(DISTINCT b)", "COUNT(b)", "SUM(b)", "collect_list(s2)",
        "collect_set(s)", "collect_list(b)", "max(s)", "size(collect_list(s))")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(AGGS), min_size=1, max_size=4, unique=True), st.booleans())
def test_aggregations_plan_or_are_reported(flink_planner, aggs, grouped) -> None:  # type: ignore[no-untyped-def]
    sql = f"SELECT {'a, ' if grouped else ''}{', '.join(aggs)} FROM t{' GROUP BY a' if grouped else ''}"
    result = shiftleft.transpile(sql, read="spark", mode="batch")
    if not result.ok:
        assert any(d.rule_id == "SL3043" for d in result.diagnostics) or not any(
            "DISTINCT" in a and "collect_list" in b for a in aggs for b in aggs
        )
        return
    report = flink_planner.plan(f"{DDL};\n{result.statements[0].sql}", mode="batch")
    assert report.ok, f"{sql}\n -> {result.statements[0].sql}\n {report.errors[0].message}"
