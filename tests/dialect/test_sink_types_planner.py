"""The column types shiftleft declares in a sink match what the Flink planner derives.

A sink DDL is written from sqlglot's type annotation in the Flink dialect; a type that differs
from the planner's (``YEAR(d)`` typed TINYINT where Flink returns BIGINT) makes the planner
refuse the INSERT ("Column types of query result and sink ... do not match") while the
translation reports nothing.  Property: for generated projections over a typed table, the
transpiled sink DDL and INSERT either carry an error diagnostic or are accepted by the planner.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {
    "t": {
        "id": "bigint",
        "n": "int",
        "s": "string",
        "d": "date",
        "ts": "timestamp",
        "x": "double",
        "amt": "decimal(10,2)",
        "flag": "boolean",
    }
}
SOURCE = (
    "CREATE TABLE t (id BIGINT, n INT, s STRING, d DATE, ts TIMESTAMP(3), x DOUBLE, "
    "amt DECIMAL(10, 2), flag BOOLEAN) WITH ('connector' = 'datagen')"
)

#: Spark expressions over one typed column each ({c}: a column of a fitting type)
TEMPLATES = {
    "date": [
        "year({c})", "month({c})", "day({c})", "dayofweek({c})", "dayofyear({c})",
        "weekofyear({c})", "quarter({c})", "date_add({c}, 3)", "last_day({c})",
        "datediff({c}, {c})", "date_format({c}, 'yyyy-MM')", "extract(month from {c})",
    ],
    "ts": ["hour({c})", "minute({c})", "second({c})", "date_trunc('day', {c})", "to_date({c})",
           "unix_timestamp({c})", "cast({c} as date)"],
    "num": ["abs({c})", "round({c}, 1)", "{c} / 2", "{c} * 3", "{c} % 2", "floor({c})",
            "ceil({c})", "sqrt({c})", "pow({c}, 2)", "cast({c} as string)", "greatest({c}, 1)",
            "coalesce({c}, 0)", "if({c} > 0, {c}, null)", "nvl({c}, 0)"],
    "str": ["length({c})", "upper({c})", "substr({c}, 1, 2)", "concat({c}, 'x')",
            "trim({c})", "instr({c}, 'a')", "lpad({c}, 3, '0')", "split({c}, ',')[0]",
            "regexp_extract({c}, 'a(b)', 1)", "cast({c} as int)", "coalesce({c}, '')",
            "case when {c} = 'a' then 1 else null end", "md5({c})", "reverse({c})"],
    "bool": ["not {c}", "if({c}, 1, 0)", "cast({c} as int)"],
}  # fmt: skip
COLUMNS = {"date": ["d", "ts"], "ts": ["ts"], "num": ["id", "n", "x", "amt"], "str": ["s"],
           "bool": ["flag"]}  # fmt: skip

projection = st.sampled_from(sorted(TEMPLATES)).flatmap(
    lambda kind: st.tuples(st.sampled_from(TEMPLATES[kind]), st.sampled_from(COLUMNS[kind]))
)


@pytest.fixture(scope="module")
def session(flink_planner_connectors):  # type: ignore[no-untyped-def]
    s = flink_planner_connectors.session("streaming")
    assert s.plan(SOURCE + ";").ok
    return s


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(projection, min_size=1, max_size=4))
def test_sink_types_are_the_planners(session, items) -> None:  # type: ignore[no-untyped-def]
    select = ", ".join(f"{t.format(c=c)} AS c{i}" for i, (t, c) in enumerate(items))
    result = shiftleft.transpile(f"SELECT id, {select} FROM t", schema=SCHEMA, sink="snk")
    if not result.ok:
        return  # reported: not silent
    script = result.sql.replace("CREATE TABLE snk", "CREATE TEMPORARY TABLE snk")
    report = session.plan(script)
    session.plan("DROP TEMPORARY TABLE IF EXISTS snk;")
    assert report.ok, (select, result.sql, [e.message for e in report.errors])
