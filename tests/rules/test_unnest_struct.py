"""SL3035-SL3037: UNNEST of arrays of structs (Flink spreads the fields), joins without a
condition, BigQuery's 0-based WITH OFFSET.  Generated queries (struct shapes, aliases, uses
of the element, its fields, the offset; BigQuery and Spark forms) are translated and each one
reported as translated is planned on Flink 2.3; the offsets are also run and compared."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.flink_engine.runner import FlinkRunner
from shiftleft.models import Severity

pytestmark = [pytest.mark.slow, pytest.mark.flink]

#: (Spark / BigQuery type, Flink type) of the struct fields drawn
FIELD_TYPES = [("INT", "INT"), ("STRING", "STRING"), ("DOUBLE", "DOUBLE"), ("STRUCT<q: INT>", "ROW<q INT>")]
NAMES = ["k", "v", "key", "w", "amount"]


@st.composite
def shapes(draw: st.DrawFn) -> tuple[list[tuple[str, int]], str]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    fields = [(n, draw(st.integers(0, len(FIELD_TYPES) - 1))) for n in names]
    return fields, draw(st.sampled_from(["e", "item", "x"]))


def _types(fields: list[tuple[str, int]]) -> tuple[str, str]:
    spark = ", ".join(f"{n}: {FIELD_TYPES[i][0]}" for n, i in fields)
    flink = ", ".join(f"`{n}` {FIELD_TYPES[i][1]}" for n, i in fields)
    return f"ARRAY<STRUCT<{spark}>>", f"ARRAY<ROW<{flink}>>"


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, str, dict[str, dict[str, str]], str]:
    fields, element = draw(shapes())
    spark_type, flink_type = _types(fields)
    uses = draw(st.lists(st.sampled_from(["field", "whole", "nested", "offset", "where"]), min_size=1, max_size=3))
    read = draw(st.sampled_from(["bigquery", "spark"]))
    outer = draw(st.booleans())
    offset = "offset" in uses and read == "bigquery"
    items = ["t.a"]
    field, kind = fields[0]
    where = ""
    for use in uses:
        if use == "field":
            items.append(f"{element}.{field} AS f_{field}")
        elif use == "whole":
            items.append(f"{element} AS whole")
        elif use == "nested" and any(FIELD_TYPES[i][0].startswith("STRUCT") for _, i in fields):
            nested = next(n for n, i in fields if FIELD_TYPES[i][0].startswith("STRUCT"))
            items.append(f"{element}.{nested}.q AS nq")
        elif use == "offset" and offset:
            items.append("o AS pos")
        elif use == "where" and FIELD_TYPES[kind][0] == "INT":
            where = f" WHERE {element}.{field} > 0"
    if read == "bigquery":
        join = "LEFT JOIN" if outer else ","
        source = f"FROM t {join} UNNEST(t.ev) AS {element}{' WITH OFFSET AS o' if offset else ''}"
    else:
        source = f"FROM t LATERAL VIEW {'OUTER ' if outer else ''}explode(t.ev) u AS {element}"
    schema = {"t": {"a": "INT", "ev": spark_type}}
    ddl = f"CREATE TABLE t (a INT, ev {flink_type}) WITH ('connector' = 'datagen', 'number-of-rows' = '5')"
    return f"SELECT {', '.join(dict.fromkeys(items))} {source}{where}", read, schema, ddl


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=queries())
def test_unnest_of_structs_plans(flink_planner, case) -> None:  # type: ignore[no-untyped-def]
    sql, read, schema, ddl = case
    result = shiftleft.transpile(sql, read=read, schema=schema, mode="batch")
    assert result.ok, (sql, [d.message for d in result.diagnostics])
    assert "SL3035" in result.rules_applied, result.sql
    session = flink_planner.session("batch")
    assert session.plan(ddl + ";").ok
    report = session.plan(result.statements[0].sql + ";")
    assert report.ok, f"{sql}\n -> {result.statements[0].sql}\n{report.errors[0].message}"


def test_bare_field_name_is_reported() -> None:
    schema = {"t": {"a": "INT", "ev": "ARRAY<STRUCT<k: INT, v: STRING>>"}}
    result = shiftleft.transpile("SELECT k FROM t, UNNEST(ev) AS e", read="bigquery", schema=schema)
    assert [d.rule_id for d in result.diagnostics if d.severity is Severity.ERROR] == ["SL3035"]


def test_unknown_element_type_is_left_alone() -> None:
    result = shiftleft.transpile("SELECT e.k FROM t, UNNEST(ev) AS e", read="bigquery")
    assert "SL3035" not in result.rules_applied


@pytest.mark.parametrize(
    ("sql", "read"),
    [
        ("SELECT a, x FROM t LEFT JOIN UNNEST(arr) AS x", "bigquery"),
        ("SELECT a, x FROM t INNER JOIN UNNEST(arr) AS x", "bigquery"),
        ("SELECT a, x FROM t JOIN UNNEST(arr) AS x", "bigquery"),
        ("SELECT a, x FROM t, UNNEST(arr) AS x", "bigquery"),
        ("SELECT t.a, u.x FROM t INNER JOIN (SELECT 1 AS x) AS u", "snowflake"),
        ("SELECT t.a, u.x FROM t LEFT JOIN (SELECT 1 AS x) AS u", "spark"),
    ],
)
def test_unnest_joins_plan(flink_planner, sql: str, read: str) -> None:  # type: ignore[no-untyped-def]
    result = shiftleft.transpile(sql, read=read, schema={"t": {"a": "INT", "arr": "ARRAY<INT>"}}, mode="batch")
    assert result.ok, result.diagnostics
    ddl = "CREATE TABLE t (a INT, arr ARRAY<INT>) WITH ('connector' = 'datagen', 'number-of-rows' = '5');\n"
    report = flink_planner.plan(ddl + result.statements[0].sql + ";", mode="batch")
    assert report.ok, f"{result.statements[0].sql}\n{report.errors[0].message}"


def test_bigquery_offset_counts_from_zero(flink_planner) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT x, o FROM t, UNNEST(arr) AS x WITH OFFSET AS o"
    result = shiftleft.transpile(sql, read="bigquery", schema={"t": {"arr": "ARRAY<INT>"}}, mode="batch")
    assert "SL3037" in result.rules_applied, result.sql
    flink = result.statements[0].sql.replace("FROM t ", "FROM (VALUES (ARRAY[10, 20, 30])) AS t(arr) ")
    runner = FlinkRunner(flink_planner, timeout_s=120)
    rows = runner.query(runner.environment("batch"), flink).rows
    assert sorted(tuple(r) for r in rows) == [(10, 0), (20, 1), (30, 2)]
