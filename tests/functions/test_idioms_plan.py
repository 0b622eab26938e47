"""Common idioms of each input dialect (``idioms/<dialect>.sql``, written for this test), each
translated in batch mode over one typed table: every output reported as translated must be
accepted by the Flink 2.3 planner (nothing passes silently).  ``KNOWN_GAPS`` lists the
outputs known to be rejected without a diagnostic; one that plans now fails the test, so the
list stays true."""

from __future__ import annotations

from pathlib import Path

import pytest

import shiftleft
from shiftleft.errors import ShiftleftError

pytestmark = [pytest.mark.slow, pytest.mark.flink]

IDIOMS = Path(__file__).with_name("idioms")
SCHEMA = {
    "t": {
        "a": "INT", "b": "INT", "s": "STRING", "s2": "STRING", "d": "DATE", "ts": "TIMESTAMP", "x": "DOUBLE",
        "arr": "ARRAY<INT>", "sarr": "ARRAY<STRING>", "js": "STRING", "flag": "BOOLEAN", "amount": "DECIMAL(10,2)",
        "st": "STRUCT<sk: STRING, sv: INT>",
        "ev": "ARRAY<STRUCT<key: STRING, value: STRUCT<int_value: BIGINT, string_value: STRING>>>",
    }
}  # fmt: skip
DDL = (
    "CREATE TABLE t (a INT, b INT, s STRING, s2 STRING, d DATE, ts TIMESTAMP(3), x DOUBLE, arr ARRAY<INT>, "
    "sarr ARRAY<STRING>, js STRING, flag BOOLEAN, amount DECIMAL(10, 2), st ROW<sk STRING, sv INT>, "
    "ev ARRAY<ROW<key STRING, `value` ROW<int_value BIGINT, string_value STRING>>>) "
    "WITH ('connector' = 'datagen', 'number-of-rows' = '10')"
)
#: (dialect, start of the idiom) -> why its translation is rejected with no diagnostic yet
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _idioms(dialect: str) -> list[str]:
    text = (IDIOMS / f"{dialect}.sql").read_text()
    return [q.strip() for q in text.split(";\n") if q.strip() and not q.strip().startswith("--")]


def _gap(dialect: str, sql: str) -> str | None:
    return next((why for (d, start), why in KNOWN_GAPS.items() if d == dialect and sql.startswith(start)), None)


@pytest.mark.parametrize("dialect", ["spark", "snowflake", "bigquery"])
def test_translated_idioms_plan(flink_planner, dialect: str) -> None:  # type: ignore[no-untyped-def]
    session = flink_planner.session("batch")
    assert session.plan(DDL + ";").ok
    silent, fixed = [], []
    for sql in _idioms(dialect):
        try:
            result = shiftleft.transpile(sql, read=dialect, schema=SCHEMA, mode="batch")
        except ShiftleftError:
            continue  # reported as unreadable
        if not result.ok:
            continue  # reported
        planned = session.plan(result.statements[0].sql + ";")
        gap = _gap(dialect, sql)
        if not planned.ok and gap is None:
            silent.append(f"{sql}\n  -> {result.statements[0].sql}\n  {planned.errors[0]}")
        elif planned.ok and gap is not None:
            fixed.append(sql)
    assert not silent, "translated, but the planner rejects:\n" + "\n".join(silent)
    assert not fixed, f"these plan now: remove them from KNOWN_GAPS: {fixed}"
