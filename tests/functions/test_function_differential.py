"""Differential tests: Spark functions on PySpark 4 against their translations on Flink 2.3.

For every Spark function the coverage matrix translates with a rule (and the identical ones
listed here), the Spark expression runs on PySpark (ANSI on, UTC) and ``shiftleft.transpile``'s
translation runs on Flink in batch mode, over the same hypothesis-generated rows (NULLs, empty
strings, unicode, negative numbers, boundary and leap dates) plus fixed boundary rows.  All
expressions of one example go into one SELECT per engine (bisected when something raises).

An expression that raises on one engine and not on the other, or any row whose values
differ, is a difference; differences the matrix documents are listed in ``EXPLAINED``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import logging
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shiftleft.dialects.spark_coverage import coverage

from fn_engines import Failed, FlinkSide, SparkSide, differences, translate

pytestmark = [pytest.mark.slow, pytest.mark.flink]
log = logging.getLogger(__name__)

# Spark function -> a Spark expression over the columns of ``t`` (see engines.COLUMNS).
SCALAR: dict[str, str] = {
    "!=": "i != j", "<>": "i <> j", "=": "s = s2", "==": "i == j", "<": "i < j", "<=": "d <= d2",
    ">": "x > 0", ">=": "l >= 0", "<=>": "s <=> s2", "!": "!b", "not": "NOT b",
    "and": "b AND i > 0", "or": "b OR i > 0", "between": "i BETWEEN -10 AND 10",
    "in": "i IN (1, 2, -3)", "like": "s LIKE 'a%'", "ilike": "s ILIKE 'A%'",
    # quantified LIKE (SL3024): not functions, but Spark syntax the rules expand
    "like any": "s LIKE ANY ('a%', '%b', s2)", "not like any": "s NOT LIKE ANY ('a%', NULL)",
    "like all": "s LIKE ALL ('%a%', '%b%')", "ilike any": "s ILIKE ANY ('A%', '%B')",
    "+": "i + j", "-": "i - j", "*": "i * 2", "/": "i / j", "%": "i % 7", "div": "i div 7",
    "abs": "abs(i)", "ceil": "ceil(x)", "ceiling": "ceiling(dec)", "floor": "floor(x)",
    "round": "round(dec, 1)", "sign": "sign(x)", "signum": "signum(i)", "sqrt": "sqrt(abs(x))",
    "ln": "ln(abs(x) + 1)", "log10": "log10(abs(x) + 1)", "log2": "log2(abs(x) + 1)", "log": "log(2.0, abs(x) + 2)",
    "exp": "exp(i / 100)", "pow": "pow(i, 2)", "power": "power(x, 2)",
    "greatest": "greatest(i, j)", "least": "least(i, j, 0)", "mod": "mod(i, 5)",
    "cast": "cast(ds as date)", "int": "int(ds)", "bigint": "bigint(i)", "double": "double(i)",
    "string": "string(i)", "date": "date(ds)", "timestamp": "timestamp(ds)", "boolean": "boolean(i)",
    "smallint": "smallint(j)", "tinyint": "tinyint(i % 100)", "float": "float(i)",
    "decimal": "decimal(i)",
    "coalesce": "coalesce(s, s2, 'z')", "nvl": "nvl(s, s2)", "ifnull": "ifnull(i, j)",
    "nvl2": "nvl2(s, 1, 2)", "nullif": "nullif(i, j)", "if": "if(i > j, s, NULL)",
    "try_divide": "try_divide(i, j)",
    "case": "CASE WHEN i > 0 THEN 'p' WHEN i < 0 THEN 'n' END", "when": "CASE i WHEN 1 THEN 'one' ELSE 'other' END",
    "length": "length(s)", "len": "len(s)", "char_length": "char_length(s)",
    "character_length": "character_length(s)", "lower": "lower(s)", "lcase": "lcase(s)",
    "upper": "upper(s)", "ucase": "ucase(s)", "trim": "trim(s)", "ltrim": "ltrim(s)",
    "rtrim": "rtrim(s)", "concat": "concat(s, '-', s2)", "concat_ws": "concat_ws('|', s, s2)",
    "||": "s || s2", "concat(non-strings)": "concat(i, '|', b, '|', d, '|', dec, '|', cast(b AS string))",
    "||(non-strings)": "i || '-' || d", "substr": "substr(s, 2, 3)", "substring": "substring(s, 2)",
    "left": "left(s, 2)", "right": "right(s, 2)", "lpad": "lpad(s, 5, '*')",
    "rpad": "rpad(s, 5, '*')", "lpad[2]": "lpad(s, 6)", "rpad[2]": "rpad(s2, 4)",
    "lpad[n]": "lpad(s, i % 9)", "rpad[n]": "rpad(s, j % 9, 'xy')", "lpad[e]": "lpad(s, 4, s2)",
    "repeat": "repeat(s, 2)", "replace": "replace(s, 'a', 'b')",
    "reverse": "reverse(s)", "instr": "instr(s, 'a')", "locate": "locate('a', s)",
    "contains": "contains(s, 'a')", "contains[col]": "contains(s, s2)", "startswith": "startswith(s, 'a')",
    "startswith[col]": "startswith(s, s2)", "endswith": "endswith(s, 'b')", "endswith[col]": "endswith(s2, s)",
    "position": "position('a', s)", "initcap": "initcap(s)", "ascii": "ascii(s)",
    "translate": "translate(s, 'abc', 'xyz')", "space": "concat(space(2), s)",
    "base64": "base64(s)", "md5": "md5(s)", "sha2": "sha2(s, 256)", "sha1": "sha1(s)", "sha": "sha(s2)",
    "regexp_replace": "regexp_replace(s, '[0-9]+', '#')", "regexp_extract": "regexp_extract(s, '([a-z]+)', 1)",
    "rlike": "s rlike '^[a-z]'", "regexp": "s regexp '[0-9]'", "regexp_like": "regexp_like(s, 'a.')",
    "split": "split(s, ',')", "split[, ]": "split(s, '[, ]')", "split_part": "split_part(s, ',', 2)", "try_to_timestamp": "try_to_timestamp(ds)",
    "make_date": "make_date(1999 + i % 3, j % 13, 29)",
    "datediff": "datediff(d2, d)", "date_diff": "date_diff(d, d2)", "date_add": "date_add(d, i)",
    "date_sub": "date_sub(d, 30)", "dateadd": "dateadd(d, 7)", "add_months": "add_months(d, 1)",
    "year": "year(d)", "month": "month(d)", "dayofmonth": "dayofmonth(d)", "day": "day(ts)",
    "dayofweek": "dayofweek(d)", "dayofyear": "dayofyear(d)", "quarter": "quarter(d)",
    "weekofyear": "weekofyear(d)", "last_day": "last_day(d)", "hour": "hour(ts)",
    "minute": "minute(ts)", "second": "second(ts)", "to_date": "to_date(ds)",
    "date_format": "date_format(ts, 'yyyy-MM-dd HH:mm')", "date_trunc": "date_trunc('MONTH', ts)",
    "trunc": "trunc(d, 'year')", "unix_timestamp": "unix_timestamp(ts)",
    "to_timestamp": "to_timestamp(ds)", "from_unixtime": "from_unixtime(l % 100000000, 'yyyy-MM-dd')",
    "unix_seconds": "unix_seconds(ts)", "extract": "extract(YEAR FROM d)",
    "array": "array(i, j)[0]", "size": "size(array(i, j))", "array_size": "array_size(array(s, s2))",
    "array_contains": "array_contains(array(i, j), 1)", "array_compact": "array_compact(array(i, NULL, j))", "element_at": "element_at(array(i, j), 2)",
    "map": "map('k', i)['k']",
    "date_part": "date_part('YEAR', d)", "datepart": "datepart('MONTH', ts)",
    "from_json": "from_json(concat('{\"a\": ', cast(i as string), '}'), 'a INT').a",
    "get_json_object": "get_json_object(concat('{\"a\": ', cast(i as string), '}'), '$.a')",
}

AGGREGATE: dict[str, str] = {
    "count": "count(i)", "sum": "sum(i)", "avg": "avg(i)", "mean": "mean(x)", "min": "min(s)",
    "max": "max(d)", "count_if": "count_if(i > 0)", "bool_and": "bool_and(b)",
    "bool_or": "bool_or(b)", "every": "every(b)", "some": "some(b)", "any": "any(b)",
    "stddev": "stddev(x)", "std": "std(i)", "stddev_pop": "stddev_pop(x)", "stddev_samp": "stddev_samp(i)",
    "var_pop": "var_pop(x)", "var_samp": "var_samp(i)", "variance": "variance(i)",
    "collect_list": "size(collect_list(i))", "collect_set": "size(collect_set(i))",
    "array_agg": "size(array_agg(i))", "median": "median(i)", "listagg": "length(listagg(s, ';'))", "string_agg": "length(string_agg(s2))", "percentile": "percentile(i, 0.5)",
}

# Spark expressions of SCALAR that raise under ANSI on the generated rows (malformed date
# strings, division by zero): evaluated one per Spark job instead of bisecting the batch.
RAISE_UNDER_ANSI = {"make_date", "/", "cast", "int", "date", "timestamp", "to_date", "to_timestamp"}

# Differences the matrix documents (a rule note or diagnostic says so): function -> why.
EXPLAINED: dict[str, str] = {
    name: entry.note or ""
    for name, entry in coverage().items()
    if entry.status == "documented"
}

_BOUNDARY_DATES = [dt.date(2024, 2, 29), dt.date(2000, 2, 29), dt.date(1970, 1, 1), dt.date(1999, 12, 31),
                   dt.date(2024, 12, 30), dt.date(2021, 1, 3), dt.date(1900, 3, 1), dt.date(2100, 12, 31)]
_text = st.one_of(
    st.none(), st.just(""), st.sampled_from(["a,b", "abc", "A1b2", "  x ", "o'neil-smith", "ünïcødé ß", "日本語"]),
    st.text(alphabet=st.sampled_from("ab, -1A9çé日_.'"), max_size=8),
)
_dates = st.one_of(st.none(), st.sampled_from(_BOUNDARY_DATES), st.dates(dt.date(1901, 1, 1), dt.date(2099, 12, 31)))
_date_strings = st.one_of(
    st.none(), st.just(""), st.sampled_from(["2024-02-29", "2023-02-29", "1970-01-01", "not a date", "2024-1-5"]),
    _dates.map(lambda d: d.isoformat() if d else None),
)
_times = st.one_of(
    st.none(),
    st.datetimes(dt.datetime(1901, 1, 1), dt.datetime(2099, 12, 31)).map(
        lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)
    ),
)
_ints = st.one_of(st.none(), st.integers(-1000, 1000), st.sampled_from([0, 1, -1, 7, -7]))
_row = st.fixed_dictionaries(
    {
        "s": _text, "s2": _text, "ds": _date_strings, "i": _ints, "j": _ints,
        "l": st.one_of(st.none(), st.integers(-(10**12), 10**12)),
        "x": st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, -0.5, 2.5])),
        "dec": st.one_of(st.none(), st.decimals(Decimal("-99999.99"), Decimal("99999.99"), places=2, allow_nan=False)),
        "d": _dates, "d2": _dates, "ts": _times, "b": st.one_of(st.none(), st.booleans()),
    }
)
MIN_ROWS = 200


def _boundary_rows() -> list[dict[str, Any]]:
    rows = []
    for k, d in enumerate(_BOUNDARY_DATES):
        rows.append({"s": ["", "a,b,", None, "ß"][k % 4], "s2": None, "ds": d.isoformat(), "i": [0, -1, 1000, None][k % 4],
                     "j": [0, 7, -7, 1][k % 4], "l": 0, "x": -0.0, "dec": Decimal("0.05"), "d": d, "d2": _BOUNDARY_DATES[-1 - k],
                     "ts": dt.datetime.combine(d, dt.time(23, 59, 59)), "b": k % 2 == 0})
    return rows


def _with_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": k, "g": k % 4, **r} for k, r in enumerate(rows)]


@pytest.fixture(scope="module")
def flink_runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner, timeout_s=120)


RESULTS: dict[str, dict[str, Any]] = {}


def _check(spark_side: SparkSide, flink_side: FlinkSide, cases: dict[str, str], *, aggregate: bool, ids: list[int]) -> None:
    translated = {name: translate(expr, aggregate=aggregate) for name, expr in cases.items()}
    names = [n for n, (sql, _) in translated.items() if sql is not None]
    for n, (sql, notes) in translated.items():
        if sql is None:
            RESULTS.setdefault(n, {})["reported"] = notes
    log.info("%d expressions translated", len(names))
    t0 = time.perf_counter()
    may_raise = {k for k, n in enumerate(names) if n in RAISE_UNDER_ANSI}
    spark_out, spark_lenient = spark_side.evaluate_ansi([cases[n] for n in names], may_raise, aggregate=aggregate)
    log.info("spark done after %.1f s", time.perf_counter() - t0)
    t0 = time.perf_counter()
    flink_out = flink_side.evaluate([translated[n][0] for n in names], aggregate=aggregate)  # type: ignore[misc]
    log.info("flink done after %.1f s", time.perf_counter() - t0)
    for name, a, lenient, b in zip(names, spark_out, spark_lenient, flink_out):
        record = RESULTS.setdefault(name, {"rows": 0, "diffs": []})
        record.setdefault("rows", 0)
        record.setdefault("diffs", [])
        record["rows"] += len(ids)
        record["flink"] = translated[name][0]
        if isinstance(a, Failed) and not isinstance(lenient, Failed):
            # Spark (ANSI) raises on some row; the translation must give Spark's NULL-on-error
            # (ANSI off) result, the documented TRY_* policy.
            record["ansi_raises"] = a.message[:120]
            a = lenient
        if isinstance(a, Failed) and isinstance(b, Failed):
            record.setdefault("both_raise", []).append(a.message[:120])
            continue
        if isinstance(b, Failed):
            record["flink_failed"] = b.message[:200]  # never explained by a documented note
        if isinstance(a, Failed) or isinstance(b, Failed):
            record["diffs"].append(f"spark={a!r} flink={b!r}"[:400])
            continue
        record["diffs"].extend(differences(a, b, ids)[:3])


def generated_rows() -> list[dict[str, Any]]:
    """At least MIN_ROWS rows from hypothesis (several small examples, gathered) plus the
    fixed boundary rows.  The first example is hypothesis' simplest one (NULLs, zeros)."""
    drawn: list[dict[str, Any]] = []

    @settings(
        max_examples=6, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(rows=st.lists(_row, min_size=40, max_size=50))
    def draw(rows: list[dict[str, Any]]) -> None:
        drawn.extend(rows)

    draw()
    return _with_ids(drawn + _boundary_rows())


@pytest.fixture(scope="module")
def results(spark, flink_runner, tmp_path_factory):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    rows = generated_rows()
    assert len(rows) >= MIN_ROWS
    spark_side = SparkSide(spark, rows)
    flink_side = FlinkSide(flink_runner, rows, tmp_path_factory.mktemp("diff"))
    log.info("rows ready after %.1f s", time.perf_counter() - started)
    _check(spark_side, flink_side, SCALAR, aggregate=False, ids=[r["id"] for r in rows])
    log.info("scalar functions done after %.1f s", time.perf_counter() - started)
    _check(spark_side, flink_side, AGGREGATE, aggregate=True, ids=sorted({r["g"] for r in rows}))
    log.info("aggregates done after %.1f s", time.perf_counter() - started)
    return RESULTS


def test_functions_agree_with_spark(results) -> None:  # type: ignore[no-untyped-def]
    unexplained = {
        name: r.get("diffs") or r.get("reported")
        for name, r in sorted(results.items())
        if (r.get("diffs") or r.get("reported")) and (name not in EXPLAINED or r.get("flink_failed"))
    }
    raising = {n for n, r in results.items() if r.get("ansi_raises") or r.get("both_raise")}
    undocumented = sorted(n for n in raising if "ANSI" not in (coverage()[n].note or ""))
    assert not undocumented, f"Spark raises under ANSI but the matrix does not say so: {undocumented}"
    summary = {n: (r.get("rows"), len(r.get("diffs") or []), bool(r.get("both_raise"))) for n, r in results.items()}
    print("differential summary", summary)
    report = os.environ.get("SHIFTLEFT_DIFF_REPORT")
    if report:
        Path(report).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    assert not unexplained, "\n".join(f"{n}: {d}" for n, d in unexplained.items())


def test_enough_rows_per_function(results) -> None:  # type: ignore[no-untyped-def]
    scalar = [n for n in SCALAR if "reported" not in results.get(n, {})]
    assert all(results[n]["rows"] >= MIN_ROWS for n in scalar)


def test_every_ruled_function_is_tested() -> None:
    ruled = {n for n, e in coverage().items() if e.status in ("exact", "documented", "rewrite")}
    untested = sorted(ruled - set(SCALAR) - set(AGGREGATE) - set(NOT_DIFFERENTIAL))
    assert untested == [], "add a case (or a reason in NOT_DIFFERENTIAL)"


# Functions with a rule that the generated table cannot exercise, and why.
NOT_DIFFERENTIAL: dict[str, str] = {
    "current_date": "depends on the clock", "current_timestamp": "depends on the clock",
    "current_time": "depends on the clock", "curdate": "depends on the clock", "now": "depends on the clock",
    "localtime": "depends on the clock", "localtimestamp": "depends on the clock",
    "random": "random", "rand": "random",
    "lag": "window function: tests/rules", "lead": "window function: tests/rules",
    "first_value": "aggregate and window forms: test_first_value_differential.py",
    "last_value": "aggregate and window forms: test_first_value_differential.py",
    "ntile": "window function: tests/rules", "row_number": "window function: tests/rules",
    "rank": "window function: tests/rules", "dense_rank": "window function: tests/rules",
    "percent_rank": "window function: tests/rules", "cume_dist": "window function: tests/rules",
    "grouping": "needs GROUPING SETS", "first": "order-dependent aggregate", "last": "order-dependent aggregate",
    "approx_percentile": "approximate in Spark", "percentile_approx": "approximate in Spark",
    "named_struct": "ROW field names differ (SL1082 warns)", "struct": "ROW field names differ (SL1082 warns)", "map_from_arrays": "map literal",
    "binary": "BYTES values", "unbase64": "BYTES values", "unhex": "BYTES values", "char": "CHR of code points",
    "slice": "array literal", "try_element_at": "array literal", "to_unix_timestamp": "format strings",
    "approx_count_distinct": "approximate in Spark", "array_agg": "aggregate", "timestamp": "see SCALAR",
}
