"""SL1128 / SL1129 and SL9005's folded calls, found on a BigQuery dbt project
(``dbt_utils.generate_surrogate_key`` is ``to_hex(md5(cast(... as string)))`` there).

BigQuery's digests are BYTES, written as hex text by ``TO_HEX``; the translation must give the
same text on Flink 2.3 as Python's hashlib gives for the UTF-8 bytes (BigQuery's documented
result), for generated strings, NULL included.  ``to_hex(md5(x))`` is read by sqlglot as one
MD5 node: that is no dropped argument (SL9005 said it was, an error on every surrogate key)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

DIGESTS = {
    "to_hex(md5(s))": lambda b: hashlib.md5(b).hexdigest(),
    "to_hex(sha1(s))": lambda b: hashlib.sha1(b).hexdigest(),
    "to_hex(sha256(s))": lambda b: hashlib.sha256(b).hexdigest(),
    "to_hex(sha512(s))": lambda b: hashlib.sha512(b).hexdigest(),
    "to_hex(md5(cast(coalesce(cast(s as string), '_null_') || '-' || 'k' as string)))": lambda b: hashlib.md5(
        b + b"-k").hexdigest(),
}


@pytest.fixture(scope="module")
def runner(flink_planner):  # type: ignore[no-untyped-def]
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)


def _literal(value: str | None) -> str:
    return "CAST(NULL AS STRING)" if value is None else "'" + value.replace("'", "''") + "'"


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=12).filter(lambda s: "\x00" not in s)), min_size=1,
                       max_size=6, unique=True))
def test_hex_digests_match_hashlib(runner, values: list[str | None]) -> None:  # type: ignore[no-untyped-def]
    items = ", ".join(f"{e} AS d{i}" for i, e in enumerate(DIGESTS))
    result = shiftleft.transpile(f"SELECT s, {items} FROM v", read="bigquery", mode="batch",
                                 schema={"v": {"s": "STRING"}})
    assert result.ok, [d.message for d in result.diagnostics]
    sql = result.statements[-1].sql
    assert "DIGEST" not in sql.upper() and "HEX" not in sql.upper(), sql
    rows = ", ".join(f"({_literal(v)})" for v in values)
    env = runner.environment("batch", [f"CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES {rows}) AS v(s)"])
    got = runner.query(env, sql).rows
    assert sorted(repr(r[0]) for r in got) == sorted(repr(v) for v in values)
    *plain, keyed = DIGESTS.values()
    for s, *digests in got:
        expected = [None if s is None else f(s.encode()) for f in plain]
        expected.append(keyed(("_null_" if s is None else s).encode()))
        assert digests == expected, (s, sql)


def test_timestamp_function_is_bigquerys_cast() -> None:
    cast = shiftleft.transpile("SELECT CAST(d AS TIMESTAMP) AS ts FROM t", read="bigquery")
    call = shiftleft.transpile("SELECT TIMESTAMP(d) AS ts FROM t", read="bigquery")
    assert call.ok and call.sql == cast.sql
    zoned = shiftleft.transpile("SELECT TIMESTAMP(s, 'America/Los_Angeles') AS ts FROM t", read="bigquery")
    assert [d.rule_id for d in zoned.diagnostics if d.severity.value == "error"] == ["SL9001"]


@pytest.mark.parametrize("sql", [
    "SELECT to_hex(md5(cast(a as string))) AS k FROM t",
    "SELECT lower(to_hex(md5(a))) AS k FROM t",
    "SELECT to_hex(sha256(a)) AS k FROM t",
])
def test_a_folded_call_is_no_dropped_argument(sql: str) -> None:
    result = shiftleft.transpile(sql, read="bigquery")
    assert not [d for d in result.diagnostics if d.rule_id == "SL9005"], result.diagnostics
