"""Unit checks of the derivation (the differential test against Flink is test_changelog_differential)."""

from __future__ import annotations

import sys

import pytest
import sqlglot
from sqlglot import exp

import shiftleft  # noqa: F401 - registers the Flink dialect
from shiftleft.derive import Mode, append_source, derive, upsert_source

CATALOG = {
    "a": append_source(["id", "k", "v", "s", "ts"], ["ts"]),
    "u": upsert_source(["id", "k", "v", "s", "ts"], ["id"], ["ts"]),
}


def _derive(sql: str):
    return derive(sqlglot.parse_one(sql, read="flink"), CATALOG)


@pytest.mark.parametrize(
    ("sql", "mode", "key"),
    [
        ("SELECT id AS i, k FROM u", Mode.UPDATING, {"i"}),
        ("SELECT k FROM u", Mode.UPDATING, None),
        ("SELECT k, COUNT(*) AS c FROM a GROUP BY k", Mode.UPDATING, {"k"}),
        ("SELECT COUNT(*) AS c FROM a GROUP BY k", Mode.UPDATING, None),
        ("SELECT id, k FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) = 1", Mode.INSERT_ONLY, {"k"}),
        ("SELECT id, k FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1", Mode.UPDATING, {"k"}),
        ("SELECT id, k, rn FROM (SELECT id, k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v) AS rn FROM a) WHERE rn <= 3",
         Mode.UPDATING, {"k", "rn"}),
        ("SELECT id FROM a WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.id = a.id)", Mode.UPDATING, None),
        ("SELECT id FROM a WHERE id IN (SELECT id FROM a AS b)", Mode.INSERT_ONLY, None),
        ("SELECT window_start, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
         "GROUP BY window_start, window_end", Mode.INSERT_ONLY, None),
        ("SELECT k FROM a UNION SELECT k FROM u", Mode.UPDATING, {"k"}),
        ("SELECT k FROM a UNION ALL SELECT k FROM u", Mode.UPDATING, None),
        ("SELECT * FROM a LEFT JOIN u FOR SYSTEM_TIME AS OF a.ts ON a.id = u.id", Mode.INSERT_ONLY, None),
        ("SELECT a.id FROM a LEFT JOIN a AS b ON a.id = b.id", Mode.UPDATING, None),
        # a scalar subquery outside the WHERE, a LATERAL subquery, an uncorrelated EXISTS: joins
        ("SELECT a.id, (SELECT MAX(v) FROM a AS b) AS mx FROM a", Mode.UPDATING, None),
        ("SELECT k, COUNT(*) AS c FROM u GROUP BY k HAVING COUNT(*) > (SELECT COUNT(*) FROM a)", Mode.UPDATING, None),
        ("SELECT a.id, x.m FROM a, LATERAL (SELECT MAX(b.v) AS m FROM a AS b WHERE b.id = a.id) AS x", Mode.UPDATING, None),
        ("SELECT id FROM a WHERE EXISTS (SELECT 1 FROM a AS b)", Mode.UPDATING, None),
        # INTERSECT over an aggregation: Flink drops the DISTINCT, the semi join keeps no key
        ("SELECT k, c FROM (SELECT k, COUNT(*) AS c FROM a GROUP BY k) INTERSECT SELECT k, v FROM a", Mode.UPDATING, None),
        # window columns after a regular join are plain: a regular GROUP BY
        ("SELECT w.window_start, w.window_end, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
         "AS w JOIN a ON w.id = a.id GROUP BY w.window_start, w.window_end", Mode.UPDATING, {"window_start", "window_end"}),
    ],
)
def test_operator_rules(sql: str, mode: Mode, key: set[str] | None) -> None:
    relation = _derive(sql)
    assert relation.mode is mode, relation.reason
    best = relation.best_key()
    assert (set(best) if best else None) == key


def test_time_attribute_survives_rename_and_dies_when_modified() -> None:
    assert _derive("SELECT ts AS t2 FROM a").time_attributes == {"t2"}
    assert _derive("SELECT CAST(ts AS TIMESTAMP(3)) AS ts FROM a").time_attributes == frozenset()
    windowed = _derive("SELECT * FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE))")
    assert windowed.time_attributes == {"window_time"}


def test_views_and_parents_propagate() -> None:
    view = _derive("SELECT id, k FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) = 1")
    mart = derive(sqlglot.parse_one("SELECT id, k FROM v WHERE k > 1", read="flink"), {"v": view})
    assert mart.updating and mart.best_key() == ["id"]


def test_500_deep_nesting_has_no_recursion_error() -> None:
    query: exp.Expr = exp.select("id", "k").from_("u")
    for depth in range(500):
        query = exp.select("id", "k").from_(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(f"q{depth}"))))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # the derivation itself must not recurse
    try:
        relation = derive(query, CATALOG)
    finally:
        sys.setrecursionlimit(limit)
    assert relation.updating and relation.best_key() == ["id"]
