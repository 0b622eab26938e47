"""Streaming join rules SL4010 (interval joins), SL4011 (temporal joins) and SL4012 (one rowtime
column per sink): behaviour the rule examples do not show."""

from __future__ import annotations

import pytest

import shiftleft
from shiftleft.models import Severity

ET = {"t": "ts"}
JOIN_IDS = ["SL4009", "SL4010", "SL4011", "SL4012"]
INTERVAL = "FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL 4 HOURS"
PIT = (
    "SELECT f.a, d.v FROM t AS f JOIN dim AS d ON f.a = d.k AND f.ts >= d.dbt_valid_from "
    "AND (f.ts < d.dbt_valid_to OR d.dbt_valid_to IS NULL)"
)


def _sql(result: shiftleft.TranspileResult) -> str:
    return result.sql.rstrip().rstrip(";")


def _ids(result: shiftleft.TranspileResult) -> list[tuple[str, str]]:
    return [(d.rule_id, d.severity.value) for d in result.diagnostics if d.rule_id in JOIN_IDS]


def _one(result: shiftleft.TranspileResult, rule_id: str):  # type: ignore[no-untyped-def]
    [d] = [d for d in result.diagnostics if d.rule_id == rule_id]
    return d


# -- modes and declarations ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        f"SELECT l.a, r.b {INTERVAL}",
        "SELECT l.a FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN date_sub(l.ts, 1) AND date_add(l.ts, 1)",
        PIT,
        f"INSERT INTO joined SELECT l.a, l.ts, r.ts AS rts {INTERVAL}",
    ],
)
def test_batch_mode_is_untouched(sql: str) -> None:
    batch = shiftleft.transpile(sql, mode="batch", event_time=ET)
    assert not _ids(batch)
    assert batch.sql == shiftleft.transpile(sql, mode="batch", disable=JOIN_IDS).sql
    assert "FOR SYSTEM_TIME" not in batch.sql and "FLOOR" not in batch.sql


@pytest.mark.parametrize(
    "sql",
    [
        f"SELECT l.a, r.b {INTERVAL}",
        PIT,
        f"INSERT INTO joined SELECT l.a, l.ts, r.ts AS rts {INTERVAL}",
    ],
)
def test_without_event_time_nothing_is_rewritten(sql: str) -> None:
    result = shiftleft.transpile(sql)
    assert not [i for i in _ids(result) if i[0] != "SL4009"]
    assert result.sql == shiftleft.transpile(sql, disable=["SL4010", "SL4011", "SL4012"]).sql


# -- SL4010 interval joins -------------------------------------------------------------------


def test_interval_join_info_names_the_bounds() -> None:
    result = shiftleft.transpile(f"SELECT l.a, r.b {INTERVAL}", event_time=ET)
    d = _one(result, "SL4010")
    assert d.severity == Severity.INFO and "interval join" in d.message
    assert "r.ts BETWEEN l.ts AND l.ts + INTERVAL '4' HOUR" in d.message
    assert _ids(result) == [("SL4010", "info")]  # no regular-join warning


def test_interval_join_bounds_written_either_way_round() -> None:
    sql = "SELECT l.a FROM t AS l JOIN t AS r ON l.a = r.a AND l.ts - INTERVAL 1 HOUR <= r.ts AND l.ts >= r.ts"
    assert _ids(shiftleft.transpile(sql, event_time=ET)) == [("SL4010", "info")]


def test_timestampadd_bounds_are_interval_bounds() -> None:
    sql = "SELECT l.a FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts > l.ts AND r.ts < timestampadd(HOUR, 2, l.ts)"
    assert _ids(shiftleft.transpile(sql, event_time=ET)) == [("SL4010", "info")]


def test_date_bounds_become_floor_to_day() -> None:
    sql = "SELECT l.a FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts >= date_sub(l.ts, 3) AND r.ts < date_add(l.ts, 1)"
    result = shiftleft.transpile(sql, event_time=ET)
    assert _sql(result).endswith(
        "r.ts >= FLOOR(l.ts TO DAY) - INTERVAL '3' DAY AND r.ts < FLOOR(l.ts TO DAY) + INTERVAL '1' DAY"
    )
    assert "SL4010" in result.rules_applied and "FLOOR(ts TO DAY)" in _one(result, "SL4010").message


@pytest.mark.parametrize(
    ("on", "why"),
    [
        ("r.ts BETWEEN l.ts AND l.ts + INTERVAL 1 HOUR * l.b", "not a literal interval"),
        ("r.ts > l.ts AND r.ts < timestampadd(HOUR, l.b, l.ts)", "not a literal"),
        ("r.ts2 BETWEEN l.ts AND l.ts + INTERVAL 1 HOUR", "r.ts2 is not a time attribute"),
        ("r.ts >= l.ts", "no upper bound"),
        ("r.ts BETWEEN l.ts AND l.ts + INTERVAL 1 HOUR AND r.ts > l.ts - INTERVAL 1 DAY", "more than one"),
    ],
)
def test_non_interval_time_ranges_warn_of_a_regular_join(on: str, why: str) -> None:
    result = shiftleft.transpile(f"SELECT l.a FROM t AS l JOIN t AS r ON l.a = r.a AND {on}", event_time=ET)
    assert _ids(result) == [("SL4010", "warning")]  # and no second warning from SL4009
    d = _one(result, "SL4010")
    assert why in d.message and "regular join" in d.message and d.suggestion


def test_interval_join_inside_a_cte_and_over_a_subquery() -> None:
    cte = f"WITH j AS (SELECT l.a, r.b {INTERVAL}) SELECT * FROM j"
    assert _ids(shiftleft.transpile(cte, event_time=ET)) == [("SL4010", "info")]
    # the time attribute of a subquery that projects the event time unchanged
    sub = (
        "SELECT l.a FROM (SELECT a, ts FROM t WHERE b > 0) AS l JOIN t AS r "
        "ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL 1 HOUR"
    )
    assert _ids(shiftleft.transpile(sub, event_time=ET)) == [("SL4010", "info")]
    # ... but not one it computes
    computed = sub.replace("SELECT a, ts FROM", "SELECT a, ts2 AS ts FROM")
    assert _ids(shiftleft.transpile(computed, event_time=ET)) == [("SL4010", "warning")]


def test_two_event_time_tables_with_their_own_columns() -> None:
    sql = (
        "SELECT o.id, s.id FROM orders AS o JOIN shipments AS s ON o.id = s.order_id "
        "AND s.ship_ts BETWEEN o.order_ts AND o.order_ts + INTERVAL 4 HOURS"
    )
    et = {"orders": "order_ts", "shipments": "ship_ts"}
    assert _ids(shiftleft.transpile(sql, event_time=et)) == [("SL4010", "info")]
    only_one = {"orders": "order_ts"}
    assert _ids(shiftleft.transpile(sql, event_time=only_one)) == [("SL4010", "warning")]


# -- SL4011 temporal joins -------------------------------------------------------------------


def test_point_in_time_join_becomes_a_temporal_join() -> None:
    result = shiftleft.transpile(PIT, event_time=ET)
    assert _sql(result) == "SELECT f.a, d.v FROM t AS f JOIN dim FOR SYSTEM_TIME AS OF f.ts AS d ON f.a = d.k"
    d = _one(result, "SL4011")
    assert d.severity == Severity.INFO
    assert "versioned table" in d.message and "PRIMARY KEY (k)" in d.message
    assert "validity-range predicates were replaced" in d.message
    assert _ids(result) == [("SL4011", "info")]


def test_temporal_join_keeps_the_table_name_without_alias_and_mirrored_predicates() -> None:
    sql = (
        "SELECT f.a, dim.v FROM t AS f LEFT JOIN dim ON dim.k = f.a AND dim.valid_from <= f.ts "
        "AND (dim.valid_to IS NULL OR dim.valid_to > f.ts)"
    )
    result = shiftleft.transpile(sql, event_time=ET)
    assert _sql(result) == "SELECT f.a, dim.v FROM t AS f LEFT JOIN dim FOR SYSTEM_TIME AS OF f.ts ON dim.k = f.a"


def test_temporal_join_with_coalesce_and_nvl_upper_bound() -> None:
    sql = "SELECT f.a FROM t AS f JOIN dim AS d ON f.a = d.k AND f.ts >= d.valid_from AND f.ts < nvl(d.valid_to, TIMESTAMP '9999-12-31 00:00:00')"
    assert "FOR SYSTEM_TIME AS OF f.ts AS d ON f.a = d.k" in shiftleft.transpile(sql, event_time=ET).sql
    # a non-constant default is not the pattern
    now = sql.replace("TIMESTAMP '9999-12-31 00:00:00'", "current_timestamp()")
    assert "FOR SYSTEM_TIME" not in shiftleft.transpile(now, event_time=ET).sql


def test_temporal_join_in_a_cte_and_in_a_subquery() -> None:
    sql = f"WITH e AS ({PIT}) SELECT * FROM (SELECT a FROM e) AS q"
    result = shiftleft.transpile(sql, event_time=ET)
    assert "JOIN dim FOR SYSTEM_TIME AS OF f.ts AS d ON f.a = d.k)" in result.sql


@pytest.mark.parametrize(
    "sql",
    [
        PIT.replace("JOIN dim", "RIGHT JOIN dim"),  # Flink temporal joins are INNER / LEFT only
        PIT.replace("f.a = d.k AND ", ""),  # no key equality
        PIT.replace(" OR d.dbt_valid_to IS NULL", ""),  # the current version would be lost
        PIT.replace("f.ts >=", "f.ts2 >=").replace("f.ts <", "f.ts2 <"),  # not the event time
    ],
)
def test_other_validity_ranges_are_not_rewritten(sql: str) -> None:
    result = shiftleft.transpile(sql, event_time=ET)
    assert "FOR SYSTEM_TIME" not in result.sql and "SL4011" not in result.rules_applied


# -- SL4012 one rowtime column per sink ------------------------------------------------------


def test_ctas_casts_the_second_event_time() -> None:
    result = shiftleft.transpile(f"CREATE TABLE j AS SELECT l.a, l.ts, r.ts {INTERVAL}", event_time=ET)
    assert "SELECT l.a, l.ts, CAST(r.ts AS TIMESTAMP(3)) AS ts FROM" in result.sql
    assert ("SL4012", "info") in _ids(result)


def test_star_over_an_interval_join_into_a_sink_is_an_error() -> None:
    result = shiftleft.transpile(f"INSERT INTO j SELECT * {INTERVAL}", event_time=ET)
    d = _one(result, "SL4012")
    assert d.severity == Severity.ERROR and "*" in d.message and "CAST(r.ts AS TIMESTAMP(3))" in (d.suggestion or "")
    # a qualified star with one time attribute plus a column is fixable
    fixed = shiftleft.transpile(f"INSERT INTO j SELECT l.*, r.ts AS rts {INTERVAL}", event_time=ET)
    assert "SELECT l.*, CAST(r.ts AS TIMESTAMP(3)) AS rts" in fixed.sql


def test_plain_select_is_only_warned_about() -> None:
    sql = f"SELECT * {INTERVAL}"
    result = shiftleft.transpile(sql, event_time=ET)
    assert _one(result, "SL4012").severity == Severity.WARNING
    assert "CAST" not in result.sql


def test_timestamp_ltz_event_time_keeps_its_type() -> None:
    schema = {"t": {"ts": "TIMESTAMP_LTZ(3)"}}
    result = shiftleft.transpile("INSERT INTO j SELECT a, ts, ts AS ts_copy FROM t", event_time=ET, schema=schema)
    assert "CAST(ts AS TIMESTAMP_LTZ(3)) AS ts_copy" in result.sql


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO j SELECT l.a, l.ts, r.ts FROM t AS l JOIN t AS r ON l.a = r.a",  # regular join materializes
        f"INSERT INTO j SELECT max(l.ts), max(r.ts) {INTERVAL}",  # aggregation materializes
        f"INSERT INTO j SELECT l.ts, r.ts2 {INTERVAL}",  # one time attribute
        "INSERT INTO j " + PIT.replace("SELECT f.a, d.v", "SELECT f.a, f.ts, d.vts"),  # versioned side
    ],
)
def test_queries_with_one_time_attribute_are_left_alone(sql: str) -> None:
    result = shiftleft.transpile(sql, event_time={**ET, "dim": "vts"})
    assert "SL4012" not in result.rules_applied and "CAST(" not in result.sql.replace("CAST(r.ts AS STRING)", "")


# -- the real planner ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.flink
def test_rewritten_joins_plan_as_interval_and_temporal_joins(flink_planner) -> None:  # type: ignore[no-untyped-def]
    from tests.rules.test_rules_flink_planner import DDL

    cases = [
        (
            (
                "SELECT l.a FROM (SELECT a, ts FROM t WHERE b > 0) AS l JOIN t AS r "
                "ON l.a = r.a AND r.ts BETWEEN date_sub(l.ts, 1) AND date_add(l.ts, 1)"
            ),
            "IntervalJoin",
        ),
        (
            (
                "SELECT f.a, dim.v FROM t AS f LEFT JOIN dim ON dim.k = f.a AND dim.dbt_valid_from <= f.ts "
                "AND (dim.dbt_valid_to IS NULL OR dim.dbt_valid_to > f.ts)"
            ),
            "TemporalJoin",
        ),
        (
            (
                "INSERT INTO joined SELECT a, t1, t2 FROM (SELECT l.a, l.ts AS t1, r.ts AS t2 FROM t AS l "
                "JOIN t AS r ON l.a = r.a AND r.ts >= l.ts AND r.ts <= l.ts + INTERVAL 10 MINUTES) AS q"
            ),
            "IntervalJoin",
        ),
    ]
    for sql, operator in cases:
        result = shiftleft.transpile(sql, event_time=ET)
        report = flink_planner.plan(f"{DDL};\n{result.sql}", mode="streaming")
        assert report.ok, f"{result.sql}\n" + "\n".join(str(e) for e in report.errors)
        assert operator in (report.statements[-1].plan or ""), result.sql
    # without SL4012 the same INSERT is rejected by Flink: the rule is what makes it plan
    sql, _ = cases[2]
    raw = shiftleft.transpile(sql, event_time=ET, disable=["SL4012"])
    report = flink_planner.plan(f"{DDL};\n{raw.sql}", mode="streaming")
    assert not report.ok and "more than one rowtime attribute" in str(report.errors[0])
