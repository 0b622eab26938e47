"""Rule behaviour beyond the examples: nesting, case, unmet conditions, schema, disabling."""

from __future__ import annotations

import pytest

import shiftleft


def _sql(sql: str, **kw) -> str:  # type: ignore[no-untyped-def]
    return shiftleft.transpile(sql, **kw).sql.rstrip().rstrip(";")


def _ids(sql: str, **kw) -> set[str]:  # type: ignore[no-untyped-def]
    return {d.rule_id for d in shiftleft.transpile(sql, **kw).diagnostics}


def test_nested_mappings() -> None:
    assert _sql("SELECT size(collect_list(a)) FROM t") == (
        "SELECT COALESCE(CARDINALITY(ARRAY_REMOVE(ARRAY_AGG(a), NULL)), -1) FROM t"
    )
    assert _sql("SELECT datediff(date_add(d, 1), d) FROM t") == (
        "SELECT TIMESTAMPDIFF(DAY, CAST(d AS DATE), CAST(TIMESTAMPADD(DAY, 1, CAST(d AS DATE)) AS DATE)) FROM t"
    )
    assert _sql("SELECT length(regexp_replace(s, 'a', 'b')) FROM t") == (
        "SELECT CHAR_LENGTH(REGEXP_REPLACE(s, 'a', 'b')) FROM t"
    )


def test_case_insensitive_function_names() -> None:
    assert _sql("SELECT DATEDIFF(d2, d), Size(arr), COLLECT_SET(s) FROM t") == (
        "SELECT TIMESTAMPDIFF(DAY, CAST(d AS DATE), CAST(d2 AS DATE)), "
        "COALESCE(CARDINALITY(arr), -1), ARRAY_REMOVE(ARRAY_AGG(DISTINCT s), NULL) FROM t"
    )


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # concat on strings is not an array concat
        ("SELECT concat(s, s2) FROM t", "SELECT CONCAT(s, s2) FROM t"),
        # concat on a schema-typed array is
        ("SELECT concat(arr, arr) FROM t", "SELECT CONCAT(arr, arr) FROM t"),
        # date_format of a known timestamp is not cast
        ("SELECT date_format(CAST(s AS TIMESTAMP_NTZ), 'yyyy') FROM t",
         "SELECT DATE_FORMAT(TRY_CAST(s AS TIMESTAMP), 'yyyy') FROM t"),
        # unix_timestamp of a string literal, or with a format, keeps its argument
        ("SELECT unix_timestamp('2024-01-01 00:00:00') FROM t",
         "SELECT UNIX_TIMESTAMP('2024-01-01 00:00:00') FROM t"),
        ("SELECT unix_timestamp(s, 'yyyy/MM/dd') FROM t", "SELECT UNIX_TIMESTAMP(s, 'yyyy/MM/dd') FROM t"),
    ],
)
def test_conditions_not_met(sql: str, expected: str) -> None:
    assert _sql(sql) == expected


def test_concat_on_schema_typed_array() -> None:
    schema = {"t": {"arr": "ARRAY<INT>"}}
    assert _sql("SELECT concat(arr, arr) FROM t", schema=schema) == "SELECT ARRAY_CONCAT(arr, arr) FROM t"


def test_split_with_a_regex_is_an_error_and_a_column_pattern_too() -> None:
    assert "SL1030" in _ids("SELECT split(s, '\\\\s+') FROM t")
    assert "SL1030" in _ids("SELECT split(s, re) FROM t")
    assert "SL1030" in _ids("SELECT split(s, ',', 2) FROM t")
    assert "SL1030" not in _ids("SELECT split(s, '::') FROM t")


def test_date_trunc_units() -> None:
    assert _sql("SELECT date_trunc('YYYY', ts), date_trunc('quarter', ts), date_trunc('DD', ts) FROM t") == (
        "SELECT FLOOR(ts TO YEAR), FLOOR(ts TO QUARTER), FLOOR(ts TO DAY) FROM t"
    )


class TestDivision:
    def test_integer_operands_are_cast(self) -> None:
        assert _sql("SELECT a / b FROM t") == "SELECT CAST(a AS DOUBLE) / NULLIF(b, 0) FROM t"

    def test_schema_decimal_or_double_is_not_cast(self) -> None:
        schema = {"t": {"amount": "DECIMAL(10, 2)", "x": "DOUBLE", "a": "INT"}}
        assert _sql("SELECT amount / a, a / x FROM t", schema=schema) == (
            "SELECT amount / NULLIF(a, 0), a / NULLIF(x, 0) FROM t"
        )

    def test_schema_integer_is_cast(self) -> None:
        schema = {"t": {"a": "BIGINT", "b": "INT"}}
        assert _sql("SELECT a / b FROM t", schema=schema) == "SELECT CAST(a AS DOUBLE) / NULLIF(b, 0) FROM t"

    def test_nested_division(self) -> None:
        assert _sql("SELECT (a / 2) / 3 FROM t") == "SELECT (CAST(a AS DOUBLE) / 2) / 3 FROM t"

    def test_div_is_integer_division(self) -> None:
        assert _sql("SELECT a div 2 FROM t") == "SELECT CAST(a / 2 AS BIGINT) FROM t"


def test_disabled_rule_keeps_the_function_and_the_unmapped_check_flags_it() -> None:
    result = shiftleft.transpile("SELECT count_if(a > 1) FROM t", disable=["SL1043"])
    assert "SL1043" not in result.statements[0].rules_applied
    assert "COUNT_IF" in result.sql.upper()
    assert any(d.rule_id == "SL9001" for d in result.diagnostics)


def test_disable_by_name() -> None:
    result = shiftleft.transpile("SELECT size(arr) FROM t", disable=["size-to-cardinality"])
    assert "COALESCE" not in result.sql


def test_first_and_last_do_not_warn() -> None:
    assert "SL1080" not in _ids("SELECT first(a, true) FROM t")
    assert "SL1080" not in _ids("SELECT first(a) FROM t")  # exact: the NULL of the first row is kept


def test_max_by_is_an_error() -> None:
    result = shiftleft.transpile("SELECT max_by(a, ts) FROM t")
    errors = [d for d in result.diagnostics if d.rule_id == "SL1044"]
    assert errors and errors[0].severity.value == "error" and "ROW_NUMBER" in (errors[0].suggestion or "")


def test_to_date_of_a_declared_date_or_timestamp_cannot_fail() -> None:
    schema = {"t": {"d": "DATE", "ts": "TIMESTAMP", "s": "STRING"}}
    sql = shiftleft.transpile("SELECT to_date(d), to_date(ts), to_date(s) FROM t", schema=schema).sql
    assert sql == "SELECT CAST(d AS DATE), CAST(ts AS DATE), TRY_CAST(s AS DATE) FROM t;\n"


def test_comma_join_order_reads_the_columns_of_the_ctes_in_scope() -> None:
    # SL3014 attributes unqualified columns by the CTEs the SELECT can see: an outer WITH's
    # from a nested query, and the nearest definition when a nested WITH reuses the name
    outer = "WITH c AS (SELECT 1 AS k, 2 AS v), d AS (SELECT 1 AS k2) "
    nested = "SELECT * FROM (SELECT x.v FROM c x, t z, d y WHERE k = k2 AND k2 = z.b) q"
    assert _sql(outer + nested, schema={"t": {"b": "INT"}}) == (
        outer
        + "SELECT * FROM (SELECT x.v FROM c AS x CROSS JOIN d AS y CROSS JOIN t AS z "
        "WHERE k = k2 AND k2 = z.b) AS q"
    )
    shadowed = (
        "WITH d AS (SELECT 1 AS other) SELECT * FROM (WITH d AS (SELECT 1 AS k2) "
        "SELECT x.v FROM c x, t z, d y WHERE k = k2 AND k2 = z.b) q"
    )
    assert "CROSS JOIN d AS y CROSS JOIN t AS z" in _sql(
        shadowed, schema={"t": {"b": "INT"}, "c": {"k": "INT", "v": "INT"}}
    )


@pytest.mark.parametrize(
    ("sql", "reported"),
    [
        # inside EXISTS / IN a column may be the outer query's: not reported, at any depth
        ("SELECT x FROM (SELECT a AS x FROM t) s WHERE EXISTS (SELECT b FROM (SELECT c FROM u) AS v WHERE v.c = s.x)", []),
        ("SELECT x FROM (SELECT a AS x FROM t) s WHERE s.x IN (SELECT q FROM (SELECT b FROM (SELECT c FROM u) AS v) AS w)", []),
        # derived tables nested in derived tables: each SELECT's missing column reported
        ("SELECT x FROM (SELECT y AS x FROM (SELECT b FROM (SELECT c FROM u) AS v) AS w) AS s", ["b", "y"]),
        ("WITH k AS (SELECT z FROM (SELECT c FROM u) AS v) SELECT x FROM (SELECT a AS x FROM k) s", ["a", "z"]),
    ],
)
def test_missing_derived_columns_under_nested_subqueries(sql: str, reported: list[str]) -> None:
    """SL3044 decides once per node whether a SELECT is inside a subquery expression (shared
    by the SELECTs below it), with the same answers as a walk to the top for each."""
    found = [d.message.split()[1] for d in shiftleft.transpile(sql, read="spark").diagnostics if d.rule_id == "SL3044"]
    assert sorted(found) == reported
