"""SL9216: LEAD / LAG ... IGNORE NULLS are reported, because Flink 2.3 runs them as if IGNORE
NULLS were absent.  Checked on Flink batch with generated columns holding NULLs: Flink's rows
are those of plain LEAD / LAG, not Spark's (the next / previous non-NULL value)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]


def _spark_lead_ignore_nulls(values: list[int | None], step: int) -> list[int | None]:
    out = []
    for i in range(len(values)):
        later = [v for v in values[i + 1 :] if v is not None]
        out.append(later[step - 1] if len(later) >= step else None)
    return out


@pytest.fixture(scope="module")
def runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), st.integers(0, 9)), min_size=3, max_size=6).filter(lambda v: None in v[1:]), st.integers(1, 2))
def test_reported_because_flink_ignores_the_words(runner, values, step) -> None:  # type: ignore[no-untyped-def]
    rows = ", ".join(f"({i}, {'CAST(NULL AS INT)' if v is None else v})" for i, v in enumerate(values))
    spark = f"SELECT id, lead(v, {step}) IGNORE NULLS OVER (ORDER BY id) FROM VALUES {rows} AS t(id, v)"
    result = shiftleft.transpile(spark, read="spark", mode="batch")
    assert any(d.rule_id == "SL9216" for d in result.diagnostics)
    got = sorted(runner.query(runner.environment("batch"), result.statements[0].sql).rows)
    plain = [values[i + step] if i + step < len(values) else None for i in range(len(values))]
    assert [r[1] for r in got] == plain  # what Flink computes: LEAD without IGNORE NULLS
    expected = _spark_lead_ignore_nulls(values, step)
    if plain != expected:
        assert [r[1] for r in got] != expected
