"""Flink generator outputs the Flink 2.3 planner could not parse or accept, found on gitlab's
models (reported translated, rejected by the planner):

* a ROW type whose fields have no names (the type of ``ROW(a, b)``, OBJECT_CONSTRUCT's ROW) in a
  sink's DDL: ``ROW<STRING, INT>`` does not parse; the fields are named as Flink names them;
* ``JSON_QUERY(.. RETURNING ARRAY<STRING>)`` (Snowflake ``x::ARRAY``) typed as its RETURNING type,
  not a STRING sink column;
* a CTE holding no query (``WITH c AS (1)``: a macro's placeholder when a statement returned no
  rows), a CTE reading itself (Snowflake's recursion without RECURSIVE), ``SELECT *`` without
  FROM: reported (SL9002), and the planner rejects what would have been written.

Generated variants are planned with their sink the way migrate declares it (the query's types)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import parse_one

import shiftleft
from shiftleft.models import Mode, Severity, Target
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.typed_query import output_columns

pytestmark = [pytest.mark.slow, pytest.mark.flink]

COLUMNS = {"s": "STRING", "a": "INT", "n": "BIGINT", "x": "DOUBLE", "d": "DATE", "flag": "BOOLEAN",
           "arr": "ARRAY<STRING>"}  # fmt: skip
DDL = ("CREATE TABLE t (" + ", ".join(f"{c} {k}" for c, k in COLUMNS.items()) + ") "
       "WITH ('connector' = 'datagen', 'number-of-rows' = '5');")  # fmt: skip
SNOWFLAKE = {"t": {"s": "VARCHAR", "a": "INT", "n": "BIGINT", "x": "DOUBLE", "d": "DATE", "flag": "BOOLEAN",
                   "arr": "ARRAY"}}  # fmt: skip
_column = st.sampled_from([c for c in COLUMNS if c != "arr"])


@st.composite
def _rows(draw: st.DrawFn, depth: int = 0) -> str:
    fields = draw(st.lists(_column, min_size=1, max_size=4))
    if depth < 1 and draw(st.booleans()):
        fields.append(draw(_rows(depth + 1)))
    if draw(st.booleans()):  # Snowflake OBJECT_CONSTRUCT('k', v, ...): a ROW of the values
        return "OBJECT_CONSTRUCT(" + ", ".join(f"'k{i}', {f}" for i, f in enumerate(fields)) + ")"
    return "ROW(" + ", ".join(fields) + ")" if depth else "OBJECT_CONSTRUCT(" + ", ".join(
        f"'k{i}', {f}" for i, f in enumerate(fields)) + ")"


def _sink_plan(session, flink_sql: str, name: str):  # type: ignore[no-untyped-def]
    """Plan ``flink_sql`` into a sink declared with the query's types, as migrate declares it."""
    ctx = RuleContext(target=Target.FLINK, mode=Mode.STREAMING, read="flink", statement=1, schema={"t": COLUMNS})
    columns = output_columns(parse_one(flink_sql, read="flink"), ctx)
    assert all(kind for _, kind in columns), columns
    ddl = f"CREATE TABLE {name} (" + ", ".join(f"`{c}` {k}" for c, k in columns) + ") WITH ('connector' = 'blackhole');"
    assert session.plan(ddl).ok, ddl
    return session.plan(f"INSERT INTO {name} {flink_sql};"), ddl


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=_rows(), array=st.sampled_from(["s::ARRAY", "PARSE_JSON(s):tags::ARRAY", "s:a.b::ARRAY"]),
       k=st.integers(0, 10**6))  # fmt: skip
def test_row_and_returning_types_are_declared_as_flink_plans_them(flink_planner, row: str, array: str, k: int) -> None:  # type: ignore[no-untyped-def]
    session = flink_planner.session("streaming")
    assert session.plan(DDL).ok
    result = shiftleft.transpile(f"SELECT {row} AS r, {array} AS u FROM t", read="snowflake", schema=SNOWFLAKE)
    flink_sql = result.statements[0].sql.strip().rstrip(";")
    report, ddl = _sink_plan(session, flink_sql, f"k{k}")
    assert report.ok, f"{ddl}\n{flink_sql}\n{report.errors[0].message[:400]}"


_queries = st.one_of(
    st.builds(lambda v, name: f"WITH {name} AS ({v}) SELECT * FROM {name}",
              st.sampled_from(["1", "'x'", "NULL"]), st.sampled_from(["base", "b_union"])),
    st.builds(lambda name, col: f"WITH {name}({col}) AS (SELECT {col} FROM t UNION ALL SELECT {col} FROM {name}) "
              f"SELECT {col} FROM {name}", st.sampled_from(["r", "path"]), _column),
    st.builds(lambda col, nested: (f"SELECT * FROM (WITH s AS (SELECT {col} FROM t) SELECT *) AS q" if nested
                                   else f"WITH s AS (SELECT {col} FROM t) SELECT *"), _column, st.booleans()),
)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=_queries)
def test_unwritable_ctes_and_star_without_from_are_reported_and_rejected(flink_planner, sql: str) -> None:  # type: ignore[no-untyped-def]
    result = shiftleft.transpile(sql, read="snowflake", schema=SNOWFLAKE)
    assert [d.rule_id for d in result.diagnostics if d.severity is Severity.ERROR] == ["SL9002"], result.diagnostics
    session = flink_planner.session("streaming")
    assert session.plan(DDL).ok
    assert not session.plan(result.sql).ok, f"reported, yet the planner accepts {result.sql}"


@settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=_column, union=st.booleans())
def test_a_cte_named_after_the_table_it_reads_is_no_recursion(flink_planner, column: str, union: bool) -> None:  # type: ignore[no-untyped-def]
    """``WITH t AS (SELECT ... FROM t)`` (a dbt model's CTE named after its relation, gitlab's
    dim_date...; ``UNION ALL`` of two reads of it too, no anchor): Flink reads the table."""
    body = f"SELECT {column} FROM t" + (f" UNION ALL SELECT {column} FROM t" if union else "")
    result = shiftleft.transpile(f"WITH t AS ({body}) SELECT {column} FROM t", read="snowflake", schema=SNOWFLAKE)
    assert not [d for d in result.diagnostics if d.severity is Severity.ERROR], result.diagnostics
    session = flink_planner.session("streaming")
    assert session.plan(DDL).ok
    report = session.plan(result.sql)
    assert report.ok, report.errors[0].message
