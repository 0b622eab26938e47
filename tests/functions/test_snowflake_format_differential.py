"""Differential test of SL1102: Snowflake ``TO_CHAR`` / ``TO_VARCHAR(x, fmt)`` with a date / time
format becomes Flink's ``DATE_FORMAT`` with Java pattern letters.

No Snowflake engine runs here.  The oracle is PySpark 4 computing what Snowflake's documentation
says each format element prints, built from date parts rather than from a Java pattern (so the
oracle does not share the rule's element mapping): ``YYYY`` is the year padded to four digits,
``MON`` the abbreviated month name (Spark's ``monthname``), ``DY`` the abbreviated day name
(``dayname``), ``HH12`` the hour on a 12-hour clock, ``FF3`` the milliseconds, and so on.  The
Snowflake SQL goes through ``shiftleft.transpile(read="snowflake")`` and runs on Flink 2.3 in
batch mode over the same generated rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import strategies as st

import shiftleft
from fn_engines import draw_rows, exact_run, flink_form
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines

COLUMNS = [("id", "INT"), ("d", "DATE"), ("ts", "TIMESTAMP(3)")]
SCHEMA = {"t": {"id": "INT", "d": "DATE", "ts": "TIMESTAMP_NTZ(3)"}}


def _pad(part: str, width: int) -> str:
    return f"lpad(cast({part} as string), {width}, '0')"


def _parts(value: str) -> dict[str, str]:
    """Spark expressions of what each Snowflake element prints for ``value``."""
    months = ", ".join(f"'{m}'" for m in ("January", "February", "March", "April", "May", "June", "July",
                                          "August", "September", "October", "November", "December"))
    fraction = f"(extract(SECOND FROM {value}) - second({value}))"
    return {
        "YYYY": _pad(f"year({value})", 4),
        "YY": _pad(f"year({value}) % 100", 2),
        "MM": _pad(f"month({value})", 2),
        "MON": f"monthname({value})",
        "MMMM": f"element_at(array({months}), month({value}))",
        "DD": _pad(f"day({value})", 2),
        "DY": f"dayname({value})",
        "HH24": _pad(f"hour({value})", 2),
        "HH12": _pad(f"(hour({value}) + 11) % 12 + 1", 2),
        "AM": f"CASE WHEN hour({value}) < 12 THEN 'AM' ELSE 'PM' END",
        "MI": _pad(f"minute({value})", 2),
        "SS": _pad(f"second({value})", 2),
        "FF3": _pad(f"cast(floor({fraction} * 1000) as int)", 3),
        "FF": _pad(f"cast({fraction} * 1000000000 as bigint)", 9),
    }


def _oracle(value: str, *pieces: str) -> str:
    """``concat`` of the elements (upper case keys of :func:`_parts`) and quoted literal text."""
    parts = _parts(value)
    return "concat(" + ", ".join(parts.get(p, f"'{p}'") for p in pieces) + ")"


#: (Snowflake expression, the Spark expression of its documented meaning)
CASES = [
    ("TO_VARCHAR(d, 'yyyy-mm-dd')", _oracle("d", "YYYY", "-", "MM", "-", "DD")),
    ("TO_CHAR(d, 'YYYY-MM-DD HH24:MI:SS')", _oracle("d", "YYYY", "-", "MM", "-", "DD", " 00:00:00")),
    ("TO_CHAR(ts, 'YYYY-MM-DD HH24:MI:SS')",
     _oracle("ts", "YYYY", "-", "MM", "-", "DD", " ", "HH24", ":", "MI", ":", "SS")),
    ("TO_VARCHAR(ts, 'dy dd mon yy')", _oracle("ts", "DY", " ", "DD", " ", "MON", " ", "YY")),
    ("TO_CHAR(ts, 'HH12:MI AM')", _oracle("ts", "HH12", ":", "MI", " ", "AM")),
    ("TO_CHAR(ts, 'HH12 PM')", _oracle("ts", "HH12", " ", "AM")),
    ("TO_CHAR(ts, 'MMMM, YYYY')", _oracle("ts", "MMMM", ", ", "YYYY")),
    ("TO_CHAR(ts, 'YYYY\"Q\"MM/DD')", _oracle("ts", "YYYY", "Q", "MM", "/", "DD")),
    ("TO_CHAR(ts, 'HH24:MI:SS.FF3')", _oracle("ts", "HH24", ":", "MI", ":", "SS", ".", "FF3")),
    ("TO_CHAR(ts, 'SS.FF')", _oracle("ts", "SS", ".", "FF")),
    ("TO_CHAR(ts, 'YYYYMMDD_HH24MISS')",
     _oracle("ts", "YYYY", "MM", "DD", "_", "HH24", "MI", "SS")),
]

_dates = st.one_of(
    st.none(),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.sampled_from([dt.date(2000, 2, 29), dt.date(1970, 1, 1), dt.date(1969, 12, 31), dt.date(9999, 12, 31),
                     dt.date(1000, 1, 1), dt.date(2024, 12, 30)]),
)
_times = st.one_of(
    st.none(),
    st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31)).map(
        lambda v: v.replace(microsecond=v.microsecond // 1000 * 1000)),
    st.sampled_from([dt.datetime(2000, 2, 29, 0, 0, 0), dt.datetime(2024, 1, 1, 12, 0, 0),
                     dt.datetime(2024, 1, 1, 11, 59, 59, 999000), dt.datetime(1969, 12, 31, 23, 59, 59, 1000),
                     dt.datetime(2023, 7, 4, 0, 30, 5, 50000)]),
)


def _rows() -> list[dict[str, Any]]:
    return draw_rows(st.fixed_dictionaries({"d": _dates, "ts": _times}))


def _flink(expr: str) -> str:
    return flink_form(expr, read="snowflake", schema=SCHEMA)[0]


def _json(row: dict[str, Any]) -> dict[str, Any]:
    ts = row["ts"]
    return {"id": row["id"], "d": row["d"] and row["d"].isoformat(),
            "ts": ts and ts.strftime("%Y-%m-%d %H:%M:%S.") + f"{ts.microsecond // 1000:03d}"}


@pytest.mark.slow
@pytest.mark.flink
def test_to_char_formats_match_snowflakes_documented_meaning(spark, flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = _rows()
    assert len(rows) >= 200
    spark.createDataFrame([tuple(r[n] for n, _ in COLUMNS) for r in rows],
                          ", ".join(f"{n} {t.replace('(3)', '')}" for n, t in COLUMNS)).createOrReplaceTempView("t")
    path = write_json_lines(tmp_path / "t.json", (_json(r) for r in rows))
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, path)])
    flink_exprs = [_flink(snow) for snow, _ in CASES]
    assert exact_run(spark, runner, env, [s for _, s in CASES], flink_exprs, aggregate=False, ansi=True) == {}


def test_formats_without_an_exact_flink_form_are_reported() -> None:
    schema = {"t": {"d": "DATE", "n": "NUMBER(10, 2)", "s": "VARCHAR", "tm": "TIME", "z": "TIMESTAMP_TZ"}}
    for expr in (
        "TO_CHAR(n, '999.99')",  # a number
        "TO_CHAR(x, '$9,990.00')",  # a numeric format model
        "TO_CHAR(d, 'HH:MI')",  # HH alone
        "TO_CHAR(d, 'Month')",  # not an element
        "TO_CHAR(d, 'YYYY TZH:TZM')",
        "TO_CHAR(d, f)",  # not a literal
        "TO_CHAR(s, 'YYYY')",  # a string
        "TO_CHAR(tm, 'HH24:MI')",  # a TIME
        "TO_CHAR(z, 'YYYY')",  # a TIMESTAMP_TZ keeps its offset
    ):
        result = shiftleft.transpile(f"SELECT {expr} FROM t", read="snowflake", mode="batch", schema=schema)
        assert "SL1102" in {d.rule_id for d in result.diagnostics if d.severity.value == "error"}, expr


def test_spark_to_char_is_left_to_the_spark_rules() -> None:
    result = shiftleft.transpile("SELECT to_char(d, 'yyyy') FROM t", read="spark", mode="batch",
                                 schema={"t": {"d": "DATE"}})
    assert "SL1102" not in {d.rule_id for d in result.diagnostics}
