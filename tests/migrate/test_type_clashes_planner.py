"""SL5027's static judgement (shiftleft.migration.type_clashes) against the Flink 2.3 planner:
generated expressions over columns of every type family, in the constructs it judges
(equalities, ordering comparisons, CASE / IF / COALESCE, UNION ALL, LIKE, NULLIF, IN); a clash
found must be a query the planner rejects, and a query the planner rejects for a type reason
(among these constructs) must be a clash found."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlglot import parse_one

from shiftleft.migration.type_clashes import type_clashes
from shiftleft.models import Mode, Target
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.typed_query import TypedQuery

pytestmark = [pytest.mark.slow, pytest.mark.flink]

COLUMNS = {
    "s": "STRING", "s2": "STRING", "a": "INT", "n": "BIGINT", "x": "DOUBLE", "amount": "DECIMAL(10, 2)",
    "d": "DATE", "ts": "TIMESTAMP(3)", "flag": "BOOLEAN",
}  # fmt: skip
LITERALS = ["1", "2.5", "'x'", "'1'", "TRUE", "DATE '2020-01-01'", "TIMESTAMP '2020-01-01 00:00:00'"]
DDL = (
    "CREATE TABLE t (" + ", ".join(f"{c} {k}" for c, k in COLUMNS.items()) + ") "
    "WITH ('connector' = 'datagen', 'number-of-rows' = '5');"
)
#: operands typed by a function whose Flink type sqlglot knows
CALLS = [
    "NULLIF(s, '')", "NULLIF(a, 0)", "UPPER(s)", "CHAR_LENGTH(s)", "EXTRACT(MONTH FROM ts)", "COALESCE(a, x)",
    "COALESCE(JSON_VALUE(s, '$.a'), JSON_QUERY(s, '$.a'))", "JSON_VALUE(s, '$.b')",
]  # fmt: skip
operands = st.sampled_from([*COLUMNS, *LITERALS, *CALLS])


@st.composite
def queries(draw: st.DrawFn) -> str:
    left, right = draw(operands), draw(operands)
    if left not in COLUMNS and right not in COLUMNS:
        left = draw(st.sampled_from(list(COLUMNS)))
    shape = draw(st.sampled_from(
        ["cmp", "case", "if", "coalesce", "union", "like", "nullif", "in", "simple_case", "join", "scalar", "exists",
         "cast", "array", "timestamps", "concat"]
    ))
    op = draw(st.sampled_from(["=", "<>", "<", ">=", "IS NOT DISTINCT FROM"]))
    if shape == "cmp":
        return f"SELECT a FROM t WHERE {left} {op} {right}"
    if shape == "timestamps":
        call = draw(st.sampled_from(
            ["TIMESTAMPADD(SECOND, {}, ts)", "TIMESTAMPADD(DAY, a, {})", "TIMESTAMPDIFF(DAY, {}, ts)"]
        ))
        return f"SELECT {call.format(left)} AS v FROM t"
    if shape == "concat":
        call = draw(st.sampled_from(["{} || {}", "CONCAT({}, {})", "CONCAT_WS('-', {}, {})"]))
        return f"SELECT {call.format(left, right)} AS v FROM t"
    if shape == "array":
        call = draw(st.sampled_from(["ARRAY_CONTAINS({}, 1)", "ARRAY_JOIN({}, ',')", "CARDINALITY({})", "ARRAY_DISTINCT({})"]))
        return f"SELECT {call.format(left)} AS v FROM t"
    if shape == "cast":
        target = draw(st.sampled_from(["STRING", "INT", "DOUBLE", "DATE", "TIMESTAMP(3)", "BOOLEAN"]))
        return f"SELECT {draw(st.sampled_from(['CAST', 'TRY_CAST']))}({left} AS {target}) AS v FROM t"
    column = draw(st.sampled_from(list(COLUMNS)))
    if shape == "join":
        return f"SELECT t.a FROM t JOIN t AS u ON t.{column} {op} u.{draw(st.sampled_from(list(COLUMNS)))}"
    if shape == "scalar":
        return f"SELECT a FROM t WHERE {left} {op} (SELECT MAX({column}) FROM t)"
    if shape == "exists":
        return f"SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t AS u WHERE u.{column} = t.{draw(st.sampled_from(list(COLUMNS)))})"
    if shape == "case":
        return f"SELECT CASE WHEN a > 1 THEN {left} ELSE {right} END AS v FROM t"
    if shape == "if":
        return f"SELECT IF(a > 1, {left}, {right}) AS v FROM t"
    if shape == "coalesce":
        if draw(st.booleans()):  # the DATE / TIMESTAMP pair COALESCE alone takes
            left, right = draw(st.permutations(["d", "ts"]))
        return f"SELECT COALESCE({left}, {right}) AS v FROM t"
    if shape == "union":
        return f"SELECT {left} AS v FROM t UNION ALL SELECT {right} AS v FROM t"
    if shape == "like":
        return f"SELECT a FROM t WHERE {left} LIKE {right}"
    if shape == "nullif":
        return f"SELECT NULLIF({left}, {right}) AS v FROM t"
    if shape == "simple_case":
        return f"SELECT CASE {left} WHEN {right} THEN 1 ELSE 0 END AS v FROM t"
    return f"SELECT a FROM t WHERE {left} IN (SELECT {column} FROM t)"


def _clashes(sql: str) -> list[str]:
    ctx = RuleContext(target=Target.FLINK, mode=Mode.BATCH, read="flink", statement=1, schema={"t": COLUMNS})
    tree = parse_one(sql, read="flink")
    return [c.where for c in type_clashes(TypedQuery(tree, ctx).tree)]


# derandomized: the same 150 queries each run (CI must not turn red on a new draw); it passed
# 7 other seeds of 150 after 9207aa0. To search wider, drop derandomize and raise max_examples
@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=queries())
# IS NOT DISTINCT FROM a scalar subquery is no join key: a DATE with a STRING is accepted
@example(sql="SELECT a FROM t WHERE d IS NOT DISTINCT FROM (SELECT MAX(s) FROM t)")
@example(sql="SELECT a FROM t WHERE d = (SELECT MAX(s) FROM t)")
@example(sql="SELECT a FROM t WHERE 'x' IN (SELECT d FROM t)")  # a literal is no exception here
def test_clashes_are_what_the_planner_rejects(flink_planner, sql: str) -> None:  # type: ignore[no-untyped-def]
    session = flink_planner.session("batch")
    assert session.plan(DDL).ok
    found = _clashes(sql)
    report = session.plan(sql + ";")
    if found:
        assert not report.ok, f"{sql}: reported {found}, but the planner accepts it"
    elif not report.ok:
        message = report.errors[0].message
        typing = (
            "implicit type conversion", "Illegal mixing of types", "Type mismatch in column", "'LIKE'",
            "<DATE>", "must have compatible types",
        )
        assert not any(t in message for t in typing), f"{sql}: not found, the planner says {message}"
