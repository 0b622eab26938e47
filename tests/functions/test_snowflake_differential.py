"""Differential test of the Snowflake function rules SL1097-SL1101 and SL1064 (REGEXP_SUBSTR
with position / occurrence / parameters / group, TO_NUMBER / TO_DECIMAL, DATE_FROM_PARTS,
TO_TIMESTAMP_NTZ, DATEADD / TIMEADD / TIMESTAMPADD with a unit), SL1104 (TO_TIMESTAMP /
TO_DATE with a format) and SL1103 (REGEXP_LIKE, a
whole-string match: the oracle is Java's ``Pattern.matches`` called through Spark's
``java_method``).

No Snowflake engine runs here, and DuckDB is no oracle for Snowflake's semantics (its
regexp_extract returns '' on no match, its make_date does not roll parts over).  The oracle is
PySpark 4 computing what Snowflake's documentation specifies, with Spark's own functions:
the n-th match of a Java regex is ``try_element_at(regexp_extract_all(s, re, g), n)`` (a
group that took no part is '', as in Snowflake; no n-th match is NULL), DATE_FROM_PARTS is
January 1st plus months plus days (``add_months`` / ``date_add``), TO_DECIMAL a cast to
DECIMAL.  The Snowflake SQL goes through ``shiftleft.transpile(read="snowflake")`` and runs
on Flink 2.3 in batch mode over the same generated rows.  What the oracle shares with the
translation by construction (a position past the end of the string gives NULL) is not
checked against Snowflake.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import shiftleft
from fn_engines import exact_run
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

COLUMNS = [("id", "INT"), ("s", "STRING"), ("i", "INT"), ("j", "INT"), ("dec", "DECIMAL(10, 2)")]
SCHEMA = {"t": {"id": "INT", "s": "STRING", "i": "INT", "j": "INT", "dec": "DECIMAL(10, 2)"}}



def _matches(pattern: str) -> str:
    """Java's whole-string match of ``s`` in Spark (NULL for NULL; java_method raises on it)."""
    return f"if(s IS NULL, NULL, cast(java_method('java.util.regex.Pattern', 'matches', {pattern}, coalesce(s, '')) AS boolean))"


_TRUE, _FALSE = ("true", "t", "yes", "y", "on", "1"), ("false", "f", "no", "n", "off", "0")
_WORDS = ", ".join(f"'{w}'" for w in _TRUE + _FALSE)
#: TO_BOOLEAN's documented strings, in any case; NULL for the others (TRY_TO_BOOLEAN)
_BOOLEAN = (f"CASE WHEN lower(s) IN ({', '.join(repr(w) for w in _TRUE)}) THEN true "
            f"WHEN lower(s) IN ({', '.join(repr(w) for w in _FALSE)}) THEN false END")

#: (Snowflake expression, the Spark expression of its documented meaning)
CASES = [
    ("REGEXP_SUBSTR(s, 'a(b)?', 1, 1, 'e')", "try_element_at(regexp_extract_all(s, 'a(b)?', 1), 1)"),
    ("REGEXP_SUBSTR(s, 'a(b)?', 1, 2, 'e')", "try_element_at(regexp_extract_all(s, 'a(b)?', 1), 2)"),
    ("REGEXP_SUBSTR(s, '[a-z]+', 1, 2)", "try_element_at(regexp_extract_all(s, '[a-z]+', 0), 2)"),
    ("REGEXP_SUBSTR(s, 'A(B+)', 1, 1, 'ie')", "try_element_at(regexp_extract_all(s, '(?i)A(B+)', 1), 1)"),
    ("REGEXP_SUBSTR(s, 'a(b)(c)?', 1, 1, 'e', 2)", "try_element_at(regexp_extract_all(s, 'a(b)(c)?', 2), 1)"),
    ("REGEXP_SUBSTR(s, 'B', 1, 1, 'ic')", "try_element_at(regexp_extract_all(s, 'B', 0), 1)"),
    ("REGEXP_SUBSTR(s, '[0-9a]', 3, 1, 'c')",
     "CASE WHEN length(s) >= 3 THEN try_element_at(regexp_extract_all(substring(s, 3), '[0-9a]', 0), 1) END"),
    ("REGEXP_SUBSTR(s, 'b', 1, ABS(i) % 4 + 1)", "try_element_at(regexp_extract_all(s, 'b', 0), abs(i) % 4 + 1)"),
    ("DATE_FROM_PARTS(1999 + i % 30, j % 15, i % 40)",
     "date_add(add_months(make_date(1999 + i % 30, 1, 1), j % 15 - 1), i % 40 - 1)"),
    ("DATE_FROM_PARTS(2024, 2, 30)", "date_add(add_months(make_date(2024, 1, 1), 1), 29)"),
    ("TO_DECIMAL(CAST(dec AS VARCHAR), 12, 1)", "cast(cast(dec as string) as decimal(12, 1))"),
    ("TO_NUMBER(CAST(dec AS VARCHAR))", "cast(cast(dec as string) as decimal(38, 0))"),
    ("TO_NUMBER(CAST(i AS VARCHAR), 10, 2)", "cast(cast(i as string) as decimal(10, 2))"),
    # Flink's cast does not read the ISO 'T' form Snowflake's AUTO reads: SL1101 warns, so the
    # oracle leaves those strings out
    ("TRY_TO_TIMESTAMP_NTZ(s)", "if(s LIKE '%T%', NULL, try_cast(s as timestamp_ntz))"),
    # REGEXP_LIKE / RLIKE (SL1103): a whole-string match, as Java's Pattern.matches
    ("REGEXP_LIKE(s, 'a.')", _matches("'a.'")),
    ("s RLIKE '[a-c]+'", _matches("'[a-c]+'")),
    ("REGEXP_LIKE(s, 'A.*', 'i')", _matches("'(?i)A.*'")),
    ("REGEXP_LIKE(s, 'a.b', 's')", _matches("'(?s)a.b'")),
    ("NOT REGEXP_LIKE(s, CONCAT('a', '|b.*'))",
     "NOT " + _matches("'a|b.*'")),
    # TO_TIMESTAMP / TO_DATE with a format (SL1104): the Java patterns written by hand here
    ("TRY_TO_TIMESTAMP(s, 'YYYY-MM-DD\"T\"HH24:MI:SS')", "try_to_timestamp(s, \"yyyy-MM-dd'T'HH:mm:ss\")"),
    ("TRY_TO_TIMESTAMP(s, 'YYYY-MM-DD HH24:MI:SS.FF3')", "try_to_timestamp(s, 'yyyy-MM-dd HH:mm:ss.SSS')"),
    ("TRY_TO_DATE(s, 'DD/MM/YYYY')", "cast(try_to_timestamp(s, 'dd/MM/yyyy') as date)"),
    # DATEADD / TIMEADD / TIMESTAMPADD (SL1064): n units added, a month end clamped, a DATE
    # plus hours a timestamp
    ("DATEADD(month, j, CAST('2024-01-31' AS DATE))", "add_months(date'2024-01-31', j)"),
    ("DATEADD(week, i, CAST('2024-02-26' AS DATE))", "date_add(date'2024-02-26', i * 7)"),
    ("TIMEADD(hour, i, CAST('2024-02-28 23:30:00' AS TIMESTAMP))",
     "timestampadd(HOUR, i, timestamp_ntz'2024-02-28 23:30:00')"),
    ("TIMESTAMPADD(minute, j, CAST('2024-12-31' AS DATE))", "timestampadd(MINUTE, j, timestamp_ntz'2024-12-31 00:00:00')"),
    ("TO_TIMESTAMP_NTZ(CAST(DATE_FROM_PARTS(1999 + i % 30, 1, 1) AS VARCHAR))",
     "cast(make_date(1999 + i % 30, 1, 1) as timestamp_ntz)"),
    # SPLIT_PART (SL1087): 1-based, negative from the end, 0 read as 1, '' past either end, an
    # empty delimiter does not split (Spark's split_part, but for 0, which it raises on)
    ("SPLIT_PART(s, 'a', i % 5)", "split_part(s, 'a', CASE WHEN i % 5 = 0 THEN 1 ELSE i % 5 END)"),
    ("SPLIT_PART(s, 'ab', -1)", "split_part(s, 'ab', -1)"),
    ("SPLIT_PART(s, ' ', -2)", "split_part(s, ' ', -2)"),
    ("SPLIT_PART(s, 'aa', -1)", "split_part(s, 'aa', -1)"),
    ("SPLIT_PART(s, 'b', 0)", "split_part(s, 'b', 1)"),
    ("SPLIT_PART(s, '', j % 3)", "split_part(s, '', CASE WHEN j % 3 = 0 THEN 1 ELSE j % 3 END)"),
    ("SPLIT_PART(s, IFF(i > 0, 'a', ''), j % 4)",
     "split_part(s, if(i > 0, 'a', ''), CASE WHEN j % 4 = 0 THEN 1 ELSE j % 4 END)"),
    # TO_BOOLEAN / TRY_TO_BOOLEAN (SL1106): the documented strings in any case, a number <> 0
    ("TRY_TO_BOOLEAN(s)", _BOOLEAN),
    (f"TO_BOOLEAN(IFF(LOWER(s) IN ({_WORDS}), s, NULL))", _BOOLEAN),
    ("TO_BOOLEAN(i)", "i <> 0"),
    # TRY_TO_NUMBER (SL1099): NULL for a string that does not read
    ("TRY_TO_NUMBER(s)", "try_cast(s as decimal(38, 0))"),
    ("TRY_TO_DECIMAL(s, 6, 1)", "try_cast(s as decimal(6, 1))"),
]

_text = st.one_of(
    st.none(), st.just(""), st.sampled_from(["ab", "aab", "ABab", "a", "xabcab", "bbb", "a1b2", "äb", "abc ac", "a\nb", "2024-02-29T10:00:00", "29/02/2024",
                     "2024-01-01 10:00:00.125", "on", "OFF", "Yes", "t", "N", "0", "1", "true ", "tRuE", "ye", "aaa", "a a b", "12.35",
                     "2024-02-29 10:00:00", "2024-01-01", "1999-12-31 23:59:59.125"]),
    st.text(alphabet=st.sampled_from("abcAB01 é"), max_size=10),
)
_ints = st.one_of(st.none(), st.integers(-100, 100))
_row = st.fixed_dictionaries({
    "s": _text, "i": _ints, "j": _ints,
    "dec": st.one_of(st.none(), st.decimals(Decimal("-9999.99"), Decimal("9999.99"), places=2, allow_nan=False),
                     st.sampled_from([Decimal("0.50"), Decimal("-0.50"), Decimal("2.45"), Decimal("2.55")])),
})


def _rows() -> list[dict[str, Any]]:
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=5, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(_row, min_size=45, max_size=50))
    def draw(rows: list[dict[str, Any]]) -> None:
        drawn.extend(rows)

    draw()
    return [{"id": k, **r} for k, r in enumerate(drawn)]


def _flink(expr: str) -> str:
    result = shiftleft.transpile(f"SELECT {expr} AS c FROM t", read="snowflake", mode="batch", schema=SCHEMA)
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    text = result.statements[0].sql.strip().rstrip(";")
    m = re.fullmatch(r"SELECT (.*) AS c FROM t", text, re.S)
    assert m, text
    return m.group(1)


@pytest.mark.slow
@pytest.mark.flink
def test_snowflake_functions_match_their_documented_meaning(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = _rows()
    assert len(rows) >= 200
    spark.createDataFrame([tuple(r[n] for n, _ in COLUMNS) for r in rows],
                          ", ".join(f"{n} {t}" for n, t in COLUMNS)).createOrReplaceTempView("t")
    path = write_json_lines(tmp_path / "t.json", ({**r, "dec": r["dec"] and str(r["dec"])} for r in rows))
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, path)])
    flink_exprs = [_flink(snow) for snow, _ in CASES]
    assert exact_run(spark, runner, env, [s for _, s in CASES], flink_exprs, aggregate=False, ansi=True) == {}


def test_inexpressible_forms_are_reported() -> None:
    for expr, code in (
        ("REGEXP_SUBSTR(s, '^ab', 2)", "SL1098"),
        ("REGEXP_SUBSTR(s, 'ab', 1, 1, p)", "SL1098"),
        ("REGEXP_SUBSTR(s, 'ab', 1, 1, 'x')", "SL1098"),
        ("TO_NUMBER(s, '$9,999.99')", "SL1099"),
        ("TO_DECIMAL(s, '999.9', 10, 1)", "SL1099"),
    ):
        result = shiftleft.transpile(f"SELECT {expr} FROM t", read="snowflake", mode="batch")
        assert code in {d.rule_id for d in result.diagnostics if d.severity.value == "error"}, expr


@pytest.mark.slow
@pytest.mark.flink
def test_to_boolean_of_another_string_raises_on_flink(flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Snowflake raises on a string outside TO_BOOLEAN's lists; so does the translation."""
    from shiftleft.flink_engine.runner import FlinkExecutionError, FlinkRunner

    path = write_json_lines(tmp_path / "t.json", [{"id": 1, "s": "on", "i": 0, "j": 0, "dec": None},
                                                  {"id": 2, "s": "maybe", "i": 0, "j": 0, "dec": None}])
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, path)])
    with pytest.raises(FlinkExecutionError, match=r"(?i)boolean"):
        runner.query(env, f"SELECT {_flink('TO_BOOLEAN(s)')} AS c FROM t")
    assert runner.query(env, f"SELECT {_flink('TRY_TO_BOOLEAN(s)')} AS c FROM t ORDER BY id").rows == [(True,), (None,)]
