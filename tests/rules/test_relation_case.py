"""SL1119: a view of the script read back with other letter case (Spark: case-insensitive;
Flink: case-sensitive) is planned by Flink 2.3 once written as created.  Found on Apache
Spark's SQL tests (group-by-filter.sql: 'CREATE VIEW EMP' read as 'FROM emp', 21 statements)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SPELLINGS = st.lists(st.booleans(), min_size=6, max_size=6)


def _spelled(name: str, upper: list[bool]) -> str:
    return "".join(c.upper() if u else c.lower() for c, u in zip(name, upper))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SPELLINGS, SPELLINGS, SPELLINGS, st.sampled_from(["FROM {v}", "FROM {v} AS x", "FROM {v} JOIN {v} AS y ON TRUE"]))
def test_script_views_read_with_any_case_plan(flink_planner, created, read, table, shape) -> None:  # type: ignore[no-untyped-def]
    view = _spelled("vemps", created[:5])
    other = _spelled("tbase", table[:5])
    sql = (
        f"CREATE TABLE {other} (id INT) USING parquet;\n"
        f"CREATE TEMPORARY VIEW {view} AS SELECT id FROM {_spelled('tbase', read[:5])};\n"
        f"SELECT COUNT(*) {shape.format(v=_spelled('vemps', read[1:]))}"
    )
    result = shiftleft.transpile(sql, read="spark", mode="batch")
    flink = [s.sql for s in result.statements[1:]]
    ddl = f"CREATE TABLE {other} (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '2')"
    report = flink_planner.plan(";\n".join([ddl, *flink]) + ";", mode="batch")
    assert report.ok, f"{sql}\n -> {flink}\n {report.errors[0].message}"
