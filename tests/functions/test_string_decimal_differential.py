"""Strings cast to DECIMAL: Spark's values on Flink (SL3029).

Flink 2.3 reads a string into a DECIMAL of precision <= 18 with a lenient parser ('a' -> 0,
'1a' -> 1); the translation reads it into DECIMAL(38, s) first.  Generated ASCII strings
(numbers with signs, spaces, exponents, fractions rounding up, too many digits, and garbage)
are cast on PySpark 4 (ANSI off: NULL on a malformed value) and, translated, on Flink 2.3 in
batch mode; values and result types must be equal.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from fn_engines import draw_rows, exact_run, translate_strict
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

pytestmark = [pytest.mark.slow, pytest.mark.flink]

_NUMBER = st.from_regex(r"\A *[+-]?[0-9]{0,21}(\.[0-9]{0,6})?([eE][+-]?[0-9]{1,2})? *\Z")
_STRING = st.one_of(
    st.none(),
    _NUMBER,
    st.from_regex(r"\A[0-9]{1,4}[a-z.x-]{1,3}[0-9]{0,2}\Z"),  # a number with trailing garbage
    st.text(alphabet="0123456789 .-+eEax", max_size=8),
    st.sampled_from(["", " ", "a", "1a", "99999999.995", "-0.005", "1e3", "NaN", "Infinity"]),
)
SCHEMA = {"t": {"s": "STRING"}}
EXPRS = [
    "CAST(s AS DECIMAL(10, 2))",
    "CAST(s AS DECIMAL(18, 4))",
    "CAST(s AS DECIMAL(5, 0))",
    "CAST(s AS DECIMAL)",
    "CAST(s AS DECIMAL(20, 2))",  # wider than 18: Flink's exact parser already
    "CAST(trim(s) AS DECIMAL(12, 3))",
]


@pytest.fixture(scope="module")
def engines(spark, flink_planner, tmp_path_factory):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = draw_rows(st.fixed_dictionaries({"s": _STRING}))
    spark.createDataFrame([(r["id"], r["s"]) for r in rows], "id INT, s STRING").createOrReplaceTempView("t")
    path = write_json_lines(tmp_path_factory.mktemp("strdec") / "t.json", rows)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    ddl = seed_table_ddl("t", [("id", "INT"), ("s", "STRING")], path)
    return spark, runner, runner.environment("batch", [ddl]), rows


def test_strings_cast_to_decimal_match_spark(engines: Any) -> None:
    spark, runner, env, rows = engines
    assert len(rows) >= 200
    flink_exprs = [translate_strict(e, " FROM t", SCHEMA) for e in EXPRS]
    assert all("DECIMAL(38" in f for f in flink_exprs[:4]), flink_exprs
    assert exact_run(spark, runner, env, EXPRS, flink_exprs, aggregate=False) == {}
