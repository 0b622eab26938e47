"""SL1108 (Snowflake PARSE_JSON / TRY_PARSE_JSON as the JSON text), TO_ARRAY's Flink form and a
computed REGEXP_SUBSTR occurrence, run on Flink 2.3 (batch) over generated strings and checked
against DuckDB: ``TRY_PARSE_JSON(s)`` is ``s`` where ``s`` is a JSON document, else NULL (RFC 8259,
Python's parser: DuckDB's ``json_valid`` also takes a trailing comma, ``[1,]``, which Flink's
``IS JSON`` does not; Snowflake's documentation does not say);
``PARSE_JSON(s)`` keeps ``s``; ``TO_ARRAY(x)`` is NULL for NULL, else ``[x]``; the occurrence is
any integer-valued number (a DOUBLE from ``POWER``, a BIGINT).  Before, each was reported
translated and rejected by the planner (gitlab's version sources, data_type_mock_table,
gitlab_dotcom_audit_event_details)."""

from __future__ import annotations

import json

import duckdb
import pytest
from hypothesis import strategies as st

import shiftleft
from fn_engines import draw_rows
from shiftleft.flink_engine.runner import seed_table_ddl, write_json_lines
from shiftleft.models import Severity

pytestmark = [pytest.mark.slow, pytest.mark.flink]

COLUMNS = [("id", "INT"), ("s", "STRING"), ("n", "BIGINT"), ("x", "DOUBLE")]
SCHEMA = {"t": {"id": "INT", "s": "VARCHAR", "n": "BIGINT", "x": "DOUBLE"}}

_json_docs = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-9, 99), st.text(alphabet="ab é\"\\", max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abc"), inner, max_size=2)),
    max_leaves=5,
).map(json.dumps)
_text = st.one_of(
    st.none(), _json_docs, st.text(alphabet="{}[]:,\"ab1 ", max_size=6), st.sampled_from(["", " ", "{", "nul", "1e", "[1,]"])
)
_row = st.fixed_dictionaries({
    "s": _text, "n": st.one_of(st.none(), st.integers(1, 4)), "x": st.one_of(st.none(), st.integers(1, 4).map(float)),
})


def _is_json(text: str | None) -> bool:
    try:
        json.loads(text or "", parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except ValueError:
        return False
    return True


def _flink(select: str) -> str:
    result = shiftleft.transpile(f"SELECT id, {select} FROM t", read="snowflake", mode="batch", schema=SCHEMA)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors, errors
    return result.statements[0].sql.strip().rstrip(";")


def test_json_text_to_array_and_occurrences_match(flink_planner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    rows = [{**r, "s": r["s"] if r["s"] is None else r["s"].replace("\n", " ")} for r in draw_rows(_row)]
    assert len(rows) >= 200
    path = write_json_lines(tmp_path / "t.json", rows)
    runner = FlinkRunner(flink_planner, timeout_s=120)
    env = runner.environment("batch", [seed_table_ddl("t", COLUMNS, path)])
    sql = _flink(
        "PARSE_JSON(s) AS p, TRY_PARSE_JSON(s) AS tp, COALESCE(TRY_PARSE_JSON(s), s::VARIANT) AS c, "
        "TO_ARRAY(s) AS arr, TO_ARRAY(n)[0] AS first, TO_ARRAY(s)::ARRAY AS arr2, "
        "REGEXP_SUBSTR(s, '[a-z]', 1, POWER(2, n - 1), 'c') AS by_power, REGEXP_SUBSTR(s, '[a-z]', 1, x, 'c') AS by_double, "
        "REGEXP_SUBSTR(s, '[a-z]', 1, n, 'c') AS by_bigint"
    )
    assert "PARSE_JSON" not in sql.upper() and "IF(" not in sql.upper(), sql
    found = {r[0]: r[1:] for r in runner.query(env, sql).rows}
    con = duckdb.connect()
    con.execute("CREATE TABLE t (id INT, s VARCHAR, n BIGINT, x DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [(r["id"], r["s"], r["n"], r["x"]) for r in rows])
    expected = {
        r[0]: r[1:] for r in con.execute(
            "SELECT id, s, NULL, s, CASE WHEN s IS NOT NULL THEN [s] END, n, "
            "CASE WHEN s IS NOT NULL THEN [s] END, "
            "regexp_extract_all(s, '[a-z]')[CAST(POWER(2, n - 1) AS INT)], regexp_extract_all(s, '[a-z]')[CAST(x AS INT)], "
            "regexp_extract_all(s, '[a-z]')[n] FROM t"
        ).fetchall()
    }
    for i, row in expected.items():
        expected[i] = (row[0], row[0] if _is_json(row[0]) else None, *row[2:])
    names = ["p", "tp", "c", "arr", "first", "arr2", "by_power", "by_double", "by_bigint"]
    for k, name in enumerate(names):
        wrong = [(rows[i]["s"], expected[i][k], found[i][k]) for i in expected
                 if (list(expected[i][k]) if isinstance(expected[i][k], list) else expected[i][k])
                 != (list(found[i][k]) if found[i][k] is not None and not isinstance(found[i][k], (str, int)) else found[i][k])]
        assert not wrong, f"{name}: {wrong[:3]}"
