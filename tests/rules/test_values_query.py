"""SL1118: Spark's aliased VALUES used as a query (a view's body, ``VALUES 0, 1, 2 AS t(id)``
without parentheses) run on Flink 2.3 (batch) and give back the rows written, under the
alias's column names.  Found on Apache Spark's SQL tests (union.sql, struct.sql, cte.sql ...:
'Encountered "AS"')."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]



@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[str], list[tuple[object, ...]]]:
    width = draw(st.integers(min_value=1, max_value=3))
    kinds = [draw(st.sampled_from([int, str])) for _ in range(width)]
    rows = draw(
        st.lists(
            st.tuples(*[st.integers(-1000, 1000) if k is int else st.sampled_from(["a", "bc", "x y"]) for k in kinds]),
            min_size=1,
            max_size=4,
        )
    )
    columns = [f"c{i}" for i in range(width)]
    cell = lambda v: f"'{v}'" if isinstance(v, str) else str(v)
    bare = width == 1 and draw(st.booleans())
    if bare:  # VALUES 0, 1, 2 AS t(c0)
        body = "VALUES " + ", ".join(cell(r[0]) for r in rows)
    else:
        body = "VALUES " + ", ".join("(" + ", ".join(cell(v) for v in r) + ")" for r in rows)
    alias = f"{draw(st.sampled_from(['AS ', '']))}t({', '.join(columns)})"
    form = draw(st.sampled_from(["view body", "view from", "query from"]))
    if form == "view body":
        sql = f"CREATE TEMPORARY VIEW v AS {body} {alias};\nSELECT * FROM v"
    elif form == "view from":
        sql = f"CREATE TEMPORARY VIEW v AS SELECT * FROM {body} {alias};\nSELECT * FROM v"
    else:
        sql = f"SELECT * FROM {body} {alias}"
    return sql, columns, rows


@pytest.fixture(scope="module")
def runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tables())
def test_values_queries_give_back_their_rows(runner, table) -> None:  # type: ignore[no-untyped-def]
    sql, columns, rows = table
    result = shiftleft.transpile(sql, read="spark", mode="batch")
    assert result.ok, [d.message for d in result.diagnostics]
    env = runner.environment("batch", [s.sql for s in result.statements[:-1]])
    got = runner.query(env, result.statements[-1].sql)
    assert got.columns == columns, result.sql
    assert sorted(map(repr, got.rows)) == sorted(map(repr, rows)), result.sql
