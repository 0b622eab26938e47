"""SL3026: Snowflake's GROUP BY ALL, generated SELECT lists, run on Flink 2.3 (batch) against
DuckDB's own GROUP BY ALL over rows with NULL keys."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.models import Severity

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {"orders": {"id": "INT", "customer": "STRING", "kind": "STRING", "amount": "INT"}}
ORDERS = [
    {"id": 1, "customer": "ann", "kind": "a", "amount": 10},
    {"id": 2, "customer": "bob", "kind": None, "amount": 7},
    {"id": 3, "customer": "ann", "kind": "b", "amount": None},
    {"id": 4, "customer": None, "kind": "a", "amount": 3},
    {"id": 5, "customer": "ann", "kind": "a", "amount": 30},
    {"id": 6, "customer": None, "kind": None, "amount": 9},
]
KEYS = ["customer", "kind", "upper(kind) AS uk", "coalesce(customer, kind) AS ck", "'x' AS k"]
AGGREGATES = ["count(*) AS n", "sum(amount) AS s", "max(amount) + 1 AS m", "COUNT_IF(amount > 5) AS c"]


@st.composite
def queries(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))
    aggregates = draw(st.lists(st.sampled_from(AGGREGATES), min_size=1, max_size=2, unique=True))
    items = draw(st.permutations(keys + aggregates))
    return f"SELECT {', '.join(items)} FROM orders GROUP BY ALL"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=queries())
def test_group_by_all_equals_duckdb(flink_planner, sql: str) -> None:  # type: ignore[no-untyped-def]
    translation = shiftleft.transpile(sql, read="snowflake", mode="batch", schema=SCHEMA)
    assert not [d for d in translation.diagnostics if d.severity is Severity.ERROR], translation.diagnostics
    assert "SL3026" in translation.rules_applied
    report = shiftleft.verify(
        sql, read="snowflake", translation=translation, mode="batch", schema=SCHEMA,
        seeds={"orders": ORDERS}, planner=flink_planner,
    )
    assert report.ok and report.reconciled, report.format() + "\n" + translation.sql
