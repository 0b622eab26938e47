"""Differential tests of functions whose NULL arguments Flink treats otherwise than Spark:
GREATEST / LEAST and CONCAT_WS (skipped by Spark), and a DATE beside a TIMESTAMP in COALESCE /
NVL / GREATEST / LEAST / CASE / IF (rule SL3050).

Spark widens the DATE to a TIMESTAMP (midnight); Flink 2.3 types ``COALESCE(d, ts)``,
``IFNULL``, ``GREATEST`` and ``LEAST`` of the two as DATE (the timestamps lose their time of
day) and rejects such CASE / IF branches.  Generated rows of dates and timestamps (NULLs, equal
days, times of day around midnight) run on PySpark 4 and on Flink 2.3 in batch mode, with the
translation; the values must be equal.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import strategies as st

from fn_engines import draw_rows, exact_run, translate_strict
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {"t": {"id": "INT", "d": "DATE", "d2": "DATE", "ts": "TIMESTAMP_NTZ", "s": "STRING"}}
_dates = st.one_of(st.none(), st.dates(dt.date(2019, 12, 30), dt.date(2020, 1, 3)))
_times = st.one_of(st.none(), st.datetimes(dt.datetime(2019, 12, 30), dt.datetime(2020, 1, 3)).map(
    lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)))
EXPRS = [
    "coalesce(d, ts)", "coalesce(ts, d)", "coalesce(d, d2, ts)", "nvl(d, ts)", "ifnull(ts, d)",
    "greatest(d, ts)", "least(ts, d)", "greatest(d, ts, d2)",
    "CASE WHEN s = 'a' THEN d ELSE ts END", "CASE WHEN s = 'a' THEN ts WHEN s = 'b' THEN d END",
    "if(s IS NULL, ts, d)", "coalesce(d, d2)",
]


def test_date_beside_timestamp_matches_spark(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = draw_rows(st.fixed_dictionaries(
        {"d": _dates, "d2": _dates, "ts": _times, "s": st.sampled_from([None, "a", "b", "c"])}))
    assert len(rows) >= 200
    spark.createDataFrame([(r["id"], r["d"], r["d2"], r["ts"], r["s"]) for r in rows],
                          "id INT, d DATE, d2 DATE, ts TIMESTAMP_NTZ, s STRING").createOrReplaceTempView("t")
    path = write_json_lines(tmp_path / "t.json", (
        {**r, "d": r["d"] and r["d"].isoformat(), "d2": r["d2"] and r["d2"].isoformat(),
         "ts": r["ts"] and r["ts"].strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]} for r in rows))
    ddl = seed_table_ddl(
        "t", [("id", "INT"), ("d", "DATE"), ("d2", "DATE"), ("ts", "TIMESTAMP(3)"), ("s", "STRING")], path)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [ddl])
    flink_exprs = [translate_strict(e, " FROM t", SCHEMA) for e in EXPRS]
    assert exact_run(spark, runner, env, EXPRS, flink_exprs, aggregate=False) == {}


_NUMBER_EXPRS = [
    "greatest(a, b)", "least(a, b)", "greatest(a, b, c)", "least(c, a, b)", "greatest(a, 5)", "least(b, -3, a)",
    "greatest(s, s2)", "least(s2, s, 'm')", "greatest(a, a)",
]


def test_greatest_and_least_skip_nulls_as_in_spark(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Spark's greatest / least skip NULLs (NULL only when all are); Flink's are NULL when any
    argument is: the translation coalesces each argument with the others."""
    from shiftleft.flink_engine.runner import FlinkRunner

    small = st.one_of(st.none(), st.integers(-8, 8))
    text = st.one_of(st.none(), st.sampled_from(["", "a", "m", "z", "mm"]))
    rows = draw_rows(st.fixed_dictionaries({"a": small, "b": small, "c": small, "s": text, "s2": text}))
    spark.createDataFrame([(r["id"], r["a"], r["b"], r["c"], r["s"], r["s2"]) for r in rows],
                          "id INT, a INT, b INT, c INT, s STRING, s2 STRING").createOrReplaceTempView("t")
    path = write_json_lines(tmp_path / "n.json", rows)
    columns = [("id", "INT"), ("a", "INT"), ("b", "INT"), ("c", "INT"), ("s", "STRING"), ("s2", "STRING")]
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", columns, path)])
    schema = {"t": dict(columns)}
    flink_exprs = [translate_strict(e, " FROM t", schema) for e in _NUMBER_EXPRS]
    assert exact_run(spark, runner, env, _NUMBER_EXPRS, flink_exprs, aggregate=False) == {}


_CONCAT_EXPRS = [
    "concat_ws('|', s, s2)", "concat_ws('', s, s2, s)", "concat_ws(s, s2, 'x')", "concat_ws('-', s, NULL, s2)",
    "concat_ws(',', s)", "concat_ws('|', s, a, s2)",
]


def test_concat_ws_skips_nulls_as_in_spark(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Spark's concat_ws skips NULL arguments (a NULL separator gives NULL); Flink's CONCAT_WS
    reads them as empty strings ('a|' for concat_ws('|', 'a', NULL))."""
    from shiftleft.flink_engine.runner import FlinkRunner

    text = st.one_of(st.none(), st.sampled_from(["", "a", "bc", "|"]))
    rows = draw_rows(st.fixed_dictionaries({"s": text, "s2": text, "a": st.one_of(st.none(), st.integers(-3, 3))}))
    spark.createDataFrame([(r["id"], r["s"], r["s2"], r["a"]) for r in rows],
                          "id INT, s STRING, s2 STRING, a INT").createOrReplaceTempView("t")
    columns = [("id", "INT"), ("s", "STRING"), ("s2", "STRING"), ("a", "INT")]
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", columns, write_json_lines(tmp_path / "c.json", rows))])
    flink_exprs = [translate_strict(e, " FROM t", {"t": dict(columns)}) for e in _CONCAT_EXPRS]
    assert exact_run(spark, runner, env, _CONCAT_EXPRS, flink_exprs, aggregate=False) == {}


def test_snowflake_concat_ws_is_null_when_an_argument_is(flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Snowflake's CONCAT_WS is NULL when any argument is NULL (its documented meaning, computed
    here in Python): Flink's CONCAT of the arguments and separators."""
    import shiftleft
    from shiftleft.flink_engine.runner import FlinkRunner

    text = st.one_of(st.none(), st.sampled_from(["", "a", "bc"]))
    rows = draw_rows(st.fixed_dictionaries({"s": text, "s2": text}))
    columns = [("id", "INT"), ("s", "STRING"), ("s2", "STRING")]
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", columns, write_json_lines(tmp_path / "w.json", rows))])
    translation = shiftleft.transpile("SELECT id, CONCAT_WS('|', s, s2, s) AS c FROM t", read="snowflake", mode="batch")
    got = dict(runner.query(env, translation.statements[0].sql.strip().rstrip(";")).rows)

    def snowflake(*args: str | None) -> str | None:
        return None if any(a is None for a in args) else "|".join(args)  # type: ignore[arg-type]

    assert got == {r["id"]: snowflake(r["s"], r["s2"], r["s"]) for r in rows}
