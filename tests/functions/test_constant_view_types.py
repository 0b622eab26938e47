"""The last classes of Spark's SQL tests that the Flink 2.3 planner rejected with no error:

* the script's views over rows written in the SQL (``CREATE TEMPORARY VIEW v AS SELECT * FROM
  VALUES ... AS v(a, d)``) are typed as Spark types their rows, so the rules know a DATE column
  compared with a TIMESTAMP, a STRING day count of ``date_add``, the columns a HAVING alias is
  not (SL3028);
* an integer literal beyond BIGINT is Spark's DECIMAL (SL3046);
* a struct field read as ``st.c`` gets its table in front (SL3047);
* a subquery correlated through an INTERSECT / EXCEPT derived table over such rows is reported
  (SL9215 read the second branch's columns as the derived table's).

Each is run on Flink batch and its rows compared with PySpark's over generated rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_spark_sql_tests_classes import SETTINGS, _both, _view

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]


@pytest.fixture(scope="module")
def runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)

DATES = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2003, 12, 31)))
INTS = st.one_of(st.none(), st.integers(min_value=0, max_value=3))


def _date_literal(value: date | None) -> str:
    return "CAST(NULL AS DATE)" if value is None else f"DATE '{value.isoformat()}'"


def _rows_view(rows: list[tuple[int | None, date | None, int | None]]) -> str:
    values = ", ".join(
        f"({'CAST(NULL AS INT)' if i is None else i}, {_date_literal(d)}, {'CAST(NULL AS STRING)' if n is None else repr(str(n))})" for i, d, n in rows
    )
    return f"CREATE OR REPLACE TEMPORARY VIEW emp AS SELECT * FROM VALUES {values} AS emp(id, hired, days)"


def _numbers(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in rows]


@SETTINGS
@given(
    rows=st.lists(st.tuples(INTS, DATES, INTS), min_size=1, max_size=4),
    query=st.sampled_from(
        [
            "SELECT COUNT(id) FILTER (WHERE hired = to_timestamp('2001-01-01 00:00:00')) FROM emp",
            "SELECT id, hired > to_timestamp('2002-06-01 12:00:00') AS after FROM emp",
            "SELECT id, date_add('2011-11-11', days) AS later, date_sub(hired, days) AS earlier FROM emp",
            "SELECT id AS k, COUNT(hired) AS n FROM emp GROUP BY id HAVING k > 1",
            "SELECT id AS k, COUNT(hired) AS n FROM emp GROUP BY k HAVING k > 1",
        ]
    ),
)
def test_typed_constant_views_match_spark(runner, spark, rows, query) -> None:  # type: ignore[no-untyped-def]
    got, expected, flink = _both(runner, spark, [_rows_view(rows), query])
    assert got == expected, flink


@SETTINGS
@given(value=st.integers(min_value=2**63, max_value=10**30), a=st.integers(min_value=-5, max_value=5))
def test_integer_literal_beyond_bigint_matches_spark(runner, spark, value, a) -> None:  # type: ignore[no-untyped-def]
    script = [f"SELECT {value} AS big, {value} + {a} AS plus, -{value} AS neg"]
    got, expected, flink = _both(runner, spark, script)
    assert _numbers(got) == _numbers(expected), flink


@SETTINGS
@given(
    rows=st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["a", "b"]), st.integers(0, 3)), min_size=1, max_size=4),
    query=st.sampled_from(
        [
            "SELECT id, st.c FROM tbl WHERE st.d > 1",
            "SELECT id, upper(st.c) AS u, st.d + 1 AS n FROM tbl",
            "SELECT t.id, st.c FROM tbl AS t JOIN (SELECT 1 AS k) AS o ON t.id >= o.k",
        ]
    ),
)
def test_struct_field_without_table_matches_spark(runner, spark, rows, query) -> None:  # type: ignore[no-untyped-def]
    values = ", ".join(f"({i}, named_struct('c', '{c}', 'd', {d}))" for i, c, d in rows)
    view = f"CREATE OR REPLACE TEMPORARY VIEW tbl AS SELECT * FROM VALUES {values} AS tbl(id, st)"
    got, expected, flink = _both(runner, spark, [view, query])
    assert got == expected, flink


@pytest.mark.parametrize("operation", ["INTERSECT", "EXCEPT"])
def test_correlation_through_a_set_operation_over_written_rows_is_reported(flink_planner, operation) -> None:  # type: ignore[no-untyped-def]
    views = [
        _view("t1", ["t1a", "t1b"], ["INT", "INT"], [(1, 7), (2, 8)]),
        _view("t2", ["t2a", "t2b"], ["INT", "INT"], [(1, 7), (3, 9)]),
    ]
    query = (
        f"SELECT t1a FROM t1 WHERE t1b IN (SELECT t2b FROM (SELECT t2b FROM t2 WHERE t2b > 6 {operation} "
        "SELECT t1b FROM t1 WHERE t1b > 6) AS t3 WHERE t2b = t1b)"
    )
    result = shiftleft.transpile(";\n".join([*views, query]), read="spark", mode="batch")
    assert [d.rule_id for d in result.statements[-1].diagnostics if d.severity.value == "error"] == ["SL9215"]
    report = flink_planner.plan(result.sql, mode="batch")  # what it would have been: rejected
    assert not report.ok and "correlate" in report.errors[0].message


@pytest.mark.parametrize(
    ("query", "reported"),
    [
        ("SELECT id, struct(st.c, st.d).d AS x FROM tbl", True),  # fields' types not known: EXPR$0...
        ("SELECT id, named_struct('p', st.c, 'q', st.d).q AS x FROM tbl", True),
        ("SELECT id, named_struct('p', 'a', 'q', CAST(id AS STRING)).q AS x FROM tbl", False),  # typed: a named ROW
        ("SELECT id, st.d FROM tbl", False),
    ],
)
def test_struct_fields_read_by_name_plan_or_are_reported(flink_planner, query, reported) -> None:  # type: ignore[no-untyped-def]
    view = "CREATE TEMPORARY VIEW tbl AS SELECT * FROM VALUES (1, named_struct('c', 'a', 'd', 2)) AS tbl(id, st)"
    result = shiftleft.transpile(f"{view};\n{query}", read="spark", mode="batch")
    errors = [d.rule_id for d in result.statements[-1].diagnostics if d.severity.value == "error"]
    assert bool(errors) is reported, (errors, result.sql)
    report = flink_planner.plan(result.sql, mode="batch")
    assert report.ok is not reported, (result.sql, report.errors[:1])
