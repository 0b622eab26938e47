"""Property tests: transpile never fails with anything but shiftleft's documented errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft import InputError, TranspileResult

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
        assert str(e)
        return
    assert isinstance(result, TranspileResult)
    # the output is text we can hand to Flink: one ';' terminated statement per input statement
    assert result.sql.count(";\n") >= len(result.statements)


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
