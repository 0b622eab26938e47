"""Property tests: transpile never fails with anything but shiftleft's documented errors, its
script is exactly its statements, and each statement is either reported as an error or Flink
SQL that the Flink dialect reads back."""

from __future__ import annotations

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

import shiftleft
from shiftleft import InputError, Severity

SQL_WORDS = [
    "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "JOIN", "ON", "AS", "(", ")", ",", ";",
    "'x'", '"y"', "`z`", "1", "2.5", "a", "b", "t", "nvl(", "datediff(", "arr[0]", "*", "+", "/",
    "!=", "=", "CASE", "WHEN", "THEN", "END", "--c\n", "/*", "*/", "OVER", "LATERAL VIEW",
    "explode(", "INSERT INTO", "CREATE TABLE", "WITH", "UNION ALL", "NULL", "NOT", "IN", "::",
]


def _check(sql: str) -> None:
    try:
        result = shiftleft.transpile(sql)
    except InputError as e:
        assert e.code.startswith("SL") and e.message
        return
    # the script is its statements, in order, each ended by ';' and a newline
    assert result.sql == "".join(s.sql + ";\n" for s in result.statements)
    # nothing passes silently: a statement carries an error, or it is Flink SQL
    for statement in result.statements:
        if any(d.severity is Severity.ERROR for d in statement.diagnostics):
            continue
        trees = sqlglot.parse(statement.sql, read="flink")
        assert not any(isinstance(t, exp.Command) for t in trees), statement.sql


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_arbitrary_text(sql: str) -> None:
    _check(sql)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SQL_WORDS), max_size=25).map(" ".join))
def test_sql_shaped_word_salad(sql: str) -> None:
    _check(sql)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["nvl(a, 1)", "arr[0]", "datediff(d, d2)", "size(arr)", "a / b", "length(s)", "upper(s)"]),
        min_size=1,
        max_size=6,
    )
)
def test_generated_queries_are_deterministic(exprs: list[str]) -> None:
    sql = f"SELECT {', '.join(exprs)} FROM t"
    assert shiftleft.transpile(sql).sql == shiftleft.transpile(sql).sql
