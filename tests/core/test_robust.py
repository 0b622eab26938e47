"""Hostile and broken input: deep nesting works or stops at a documented limit, garbage is
not translated, and nothing but a ShiftleftError escapes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft import InputError
from shiftleft.errors import LimitError
from shiftleft.limits import MAX_NESTING


def _clean(sql: str) -> shiftleft.TranspileResult:
    result = shiftleft.transpile(sql)
    assert not [d for d in result.diagnostics if d.rule_id in ("SL9000", "SL9002")], result.diagnostics
    return result


def test_a_991_way_union_all() -> None:
    sql = " UNION ALL ".join(f"SELECT {i} AS a FROM t" for i in range(991))
    assert _clean(sql).sql.count("UNION ALL") == 990


@pytest.mark.parametrize("depth", [48, 200, MAX_NESTING])
def test_deep_parentheses(depth: int) -> None:
    out = _clean("SELECT " + "(" * depth + "a" + ")" * depth + " FROM t").sql
    assert out.startswith("SELECT (") and out.rstrip().endswith("FROM t;")


def test_deep_subqueries_and_calls_translate() -> None:
    _clean("SELECT a FROM " + "(SELECT a FROM " * 120 + "t" + ") AS x" * 120)
    out = _clean("SELECT " + "nvl(" * 100 + "a" + ", 0)" * 100 + " FROM t").sql
    assert out.count("COALESCE(") == 100


def test_long_case_and_boolean_chains() -> None:
    case = "SELECT CASE " + " ".join(f"WHEN a = {i} THEN {i}" for i in range(3000)) + " END AS c FROM t"
    assert _clean(case).sql.count("WHEN") == 3000
    chain = "SELECT a FROM t WHERE " + " AND ".join(f"a <> {i}" for i in range(3000))
    assert _clean(chain).sql.count(" AND ") == 2999


def test_nesting_beyond_the_limit_is_a_clear_error() -> None:
    depth = MAX_NESTING + 1
    with pytest.raises(LimitError) as info:
        shiftleft.transpile("\n  SELECT " + "(" * depth + "1" + ")" * depth)
    err = info.value
    assert err.code == "SL0003" and (err.line, err.column) == (2, 10 + MAX_NESTING)
    assert f"at most {MAX_NESTING}" in err.message
    result = shiftleft.transpile("SELECT 1 FROM t;\nSELECT " + "(" * depth + "1" + ")" * depth)
    assert result.statements[0].sql == "SELECT 1 FROM t"
    assert [d.rule_id for d in result.statements[1].diagnostics] == ["SL0003"]


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("hello world", "SL0004"),
        ("SELECT", "SL0004"),
        ("a + 1", "SL0004"),
        ("'just a string'", "SL0004"),
        ("SELECT \x01 FROM t", "SL0002"),
        ("SELECT a\x7f FROM t", "SL0002"),
        ("SELECT a FROM WHERE", "SL0001"),
        ("SELECT 'unterminated", "SL0002"),
    ],
)
def test_garbage_is_an_input_error_not_a_translation(sql: str, code: str) -> None:
    with pytest.raises(InputError) as info:
        shiftleft.transpile(sql)
    assert info.value.code == code
    assert "\x1b" not in str(info.value) and "Line 1, Col" not in str(info.value)  # not sqlglot's dump


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("SELECT a FROM t WHERE b = ?", "SL9201"),
        ("SELECT a FROM t WHERE b = ${var}", "SL9201"),
        ("SELECT 1e999999 AS x FROM t", "SL9202"),
        ("SELECT 123456789012345678901234567890123456789 AS x FROM t", "SL9202"),
        ("SELECT transform(arr, x -> x * 2) AS y FROM t", "SL9204"),
        ("SELECT filter(arr, x -> x > 0) AS y FROM t", "SL9204"),
        ("SELECT aggregate(arr, 0, (acc, x) -> acc + x) AS y FROM t", "SL9204"),
        ("SELECT exists(arr, x -> x > 0) AS y FROM t", "SL9204"),
        ("SELECT ts AT TIME ZONE 'Europe/Paris' AS y FROM t", "SL9205"),
        ("SELECT * FROM t PIVOT (sum(v) FOR k IN ('a', 'b'))", "SL9206"),
        ("ALTER TABLE t ADD COLUMNS (c INT)", "SL9207"),
        ("CACHE TABLE t", "SL9207"),
        ("CREATE TABLE t (a INT) USING delta LOCATION '/x'", "SL9208"),
        ("INSERT OVERWRITE TABLE s PARTITION (d = '1') SELECT a FROM t", "SL9209"),
        ("MSCK REPAIR TABLE t", "SL9003"),
    ],
)
def test_unsupported_constructs_are_reported(sql: str, code: str) -> None:
    result = shiftleft.transpile(sql)
    assert code in {d.rule_id for d in result.errors}, result.diagnostics


@pytest.mark.slow
@pytest.mark.flink
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT a, b FROM t DISTRIBUTE BY a SORT BY b",
        "SELECT a FROM t CLUSTER BY a",
        "SELECT a FROM (SELECT a, b FROM t DISTRIBUTE BY b) AS x",
    ],
)
def test_distribution_clauses_removed_output_plans(flink_planner, sql: str) -> None:  # type: ignore[no-untyped-def]
    result = shiftleft.transpile(sql)
    assert result.ok and "SL9203" in {d.rule_id for d in result.diagnostics}
    ddl = "CREATE TABLE t (a INT, b INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3')"
    report = flink_planner.plan(f"{ddl};\n{result.sql}", mode="streaming")
    assert report.ok, report.errors


# -- regressions found by the fuzz suite (tests/fuzz) ----------------------------------------


def test_rule_built_operands_are_parenthesized() -> None:
    """arr[arr[a IS NULL]] gave `arr[(a IS NULL + 1)]`: the index rule built `x + 1` around a
    predicate without parentheses, which Flink cannot read."""
    assert shiftleft.transpile("SELECT NOT arr[arr[a IS NULL]] FROM t").sql == (
        "SELECT NOT arr[arr[(a IS NULL) + 1] + 1] FROM t;\n"
    )
    from sqlglot import exp

    from shiftleft.precedence import parenthesize

    tree = exp.Sub(this=exp.column("a"), expression=exp.Sub(this=exp.column("b"), expression=exp.column("c")))
    assert parenthesize(tree).sql() == "a - (b - c)"
    tree = exp.Mul(this=exp.Add(this=exp.column("a"), expression=exp.column("b")), expression=exp.column("c"))
    assert parenthesize(tree).sql() == "(a + b) * c"
    tree = exp.Not(this=exp.Or(this=exp.column("a"), expression=exp.column("b")))
    assert parenthesize(tree).sql() == "NOT (a OR b)"


def test_nested_array_literals_stop_at_a_limit_instead_of_hanging() -> None:
    """sqlglot reads ARRAY[ARRAY[...]] in exponential time (18 levels: ~50 s)."""
    from shiftleft.limits import MAX_ARRAY_NESTING

    depth = MAX_ARRAY_NESTING + 1
    with pytest.raises(LimitError, match="ARRAY"):
        shiftleft.transpile("SELECT " + "ARRAY[" * depth + "1" + "]" * depth, read="duckdb")
    assert shiftleft.transpile("SELECT " + "ARRAY[" * 3 + "1" + "]" * 3 + " AS a", read="duckdb").ok


def test_a_statement_that_crashes_a_rule_stage_does_not_lose_the_others() -> None:
    """INSERT ... SELECT datediff() crashed the sink stage (sqlglot: 'SQL cannot be None') and
    with it the whole script."""
    result = shiftleft.transpile("SELECT a FROM t;\nINSERT INTO sink SELECT datediff(), a FROM t GROUP BY a")
    assert result.statements[0].sql == "SELECT a FROM t"
    bad = result.statements[1]
    assert not result.ok and any(d.severity == "error" for d in bad.diagnostics)
    # either commented out (a crash, SL9000) or kept with the errors that say why
    assert all(line.startswith("--") for line in bad.sql.splitlines()) or {
        d.rule_id for d in bad.diagnostics
    } >= {"SL9001"}


@pytest.mark.parametrize(
    "sql",
    ["SELECT map() AS m FROM t", "SELECT array() AS a FROM t", "SELECT named_struct() AS s FROM t",
     "SELECT (a IN (1)) IN (map(), 1) FROM t", "SELECT coalesce(arr, array()) AS a FROM t"],
)
def test_empty_constructors_are_reported(sql: str) -> None:
    """map() gave `MAP[]` (found by scripts/fuzz_run.py), which Flink cannot read."""
    assert "SL9210" in {d.rule_id for d in shiftleft.transpile(sql).errors}


@pytest.mark.slow
@pytest.mark.flink
def test_flink_has_no_empty_constructors(flink_planner) -> None:  # type: ignore[no-untyped-def]
    """The oracle behind SL9210: the planner rejects every empty ARRAY / MAP / ROW."""
    ddl = "CREATE TABLE t (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3')"
    for value in ("ARRAY[]", "MAP[]", "ROW()", "CAST(ARRAY[] AS ARRAY<INT>)"):
        assert not flink_planner.plan(f"{ddl};\nSELECT {value} AS v FROM t", mode="streaming").ok, value
    assert flink_planner.plan(f"{ddl};\nSELECT ARRAY[1] AS v, MAP['k', 1] AS w FROM t", mode="streaming").ok


# -- an unterminated string / comment / quoted name in a script (issue 15, isolation) ---------

_OPENERS = ["'", '"', "`", "/*"]


@settings(max_examples=60, deadline=None)
@given(
    good=st.lists(st.sampled_from(["SELECT a FROM t", "SELECT nvl(b, 1) AS c FROM u", "INSERT INTO s SELECT a FROM t",
                                   "SELECT 'it''s;' AS q FROM t -- a; comment\n", "SELECT `x;y` FROM t /* ; */"]),
                  min_size=1, max_size=4),
    opener=st.sampled_from(_OPENERS),
    prefix=st.sampled_from(["SELECT ", "SELECT a, ", "  SELECT\n  a FROM t WHERE b = ", "INSERT INTO s SELECT "]),
    after=st.sampled_from(["", "oops FROM t", "x;\nSELECT 1 FROM t;\nSELECT 2", "\n\n"]),
    window=st.sampled_from([None, 8, 64]),
)
def test_statements_before_an_unterminated_token_still_come_out(
    good: list[str], opener: str, prefix: str, after: str, window: int | None
) -> None:
    from shiftleft.parse import split_statements
    from shiftleft.stream import transpile_stream

    head = ";\n".join(good) + ";\n"
    script = head + prefix + opener + after
    expected = shiftleft.transpile(head).statements
    bad_at = len(head) + len(prefix)
    line, column = script.count("\n", 0, bad_at) + 1, bad_at - script.rfind("\n", 0, bad_at)
    for statements in (shiftleft.transpile(script).statements, list(transpile_stream(script))):
        assert [s.sql for s in statements[:-1]] == [s.sql for s in expected]
        (d,) = statements[-1].diagnostics
        assert (d.rule_id, d.line, d.column, d.statement) == ("SL0002", line, column, len(good) + 1)
        assert statements[-1].sql.startswith("-- [SL0002]")
    pieces = list(split_statements(script, "spark", window=window))
    assert pieces[-1].error is not None and pieces[-1].text.endswith(after)
    assert all(p.error is None for p in pieces[:-1]) and len(pieces) == len(good) + 1


@pytest.mark.parametrize(
    ("sql", "read"),
    [("SELECT date_format() AS u FROM u", "duckdb"), ("INSERT INTO s SELECT date_format(a) AS u FROM u", "duckdb"),
     ("SELECT date_add(a IS NULL, b, 'x') AS d FROM t", "spark")],
)
def test_a_call_short_of_arguments_is_reported_not_printed(sql: str, read: str) -> None:
    """duckdb reads date_format() as an unknown call; it came out as DATE_FORMAT(), which the
    Flink dialect cannot read (SL9004 now); date_add(a IS NULL, b, c) lost its unit (SL9002).
    Found by scripts/fuzz_run.py."""
    result = shiftleft.transpile(sql, read=read)
    assert {d.rule_id for d in result.errors} & {"SL9002", "SL9004"}, result.diagnostics
    assert shiftleft.transpile("SELECT date_format(ts, 'yyyy') AS u FROM u", read="spark").ok
