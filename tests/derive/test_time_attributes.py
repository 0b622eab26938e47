"""Time attributes end to end (issue 14 item 4): event time declared (``--event-time t.col``,
a column ``meta: {event_time: true}``, dbt ``config(event_time=...)``) or inferred, Spark's time
buckets as window TVFs only over an insert-only input with that time attribute, and every
translation planned by the real Flink 2.3 planner."""

from __future__ import annotations

from pathlib import Path

import pytest

import shiftleft
from shiftleft.cli.common import UsageError, parse_event_time
from shiftleft.migration import Status, migrate

_SOURCES = """version: 2
sources:
  - name: app
    tables:
      - name: events
        columns:
          - {{name: id, data_type: bigint}}
          - {{name: user_id, data_type: bigint}}
          - {{name: event_ts, data_type: timestamp{meta}}}
          - {{name: kind, data_type: string}}
"""
_LATEST = """{{ config(materialized='incremental', unique_key='id', event_time='event_ts') }}
select id, user_id, event_ts, kind from (
  select *, row_number() over (partition by id order by event_ts desc) as rn from {{ source('app', 'events') }}
) where rn = 1
"""
_DAILY = """select date_trunc('day', event_ts) as d, count(*) as n from {{ ref('latest') }}
group by date_trunc('day', event_ts)"""
_HOURLY = """select window.start as ws, window.end as we, kind, count(*) as n
from {{ source('app', 'events') }} group by kind, window(event_ts, '1 hour')"""


def _project(root: Path, meta: bool) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: demo\nprofile: demo\nmodels:\n  demo:\n    +materialized: table\n")
    (root / "models" / "sources.yml").write_text(_SOURCES.format(meta=", meta: {event_time: true}" if meta else ""))
    for name, sql in {"latest.sql": _LATEST, "daily.sql": _DAILY, "hourly.sql": _HOURLY}.items():
        (root / "models" / name).write_text(sql)
    return root


def test_event_time_option_syntax() -> None:
    assert parse_event_time(["orders.ts", "app.events.event_ts", "t=c"]) == {
        "orders": "ts", "app.events": "event_ts", "t": "c"}
    with pytest.raises(UsageError):
        parse_event_time(["orders"])


@pytest.mark.flink
@pytest.mark.slow
@pytest.mark.parametrize("how", ["meta", "option"])
def test_migrate_windows_only_insert_only_time_attributes(tmp_path: Path, how: str) -> None:
    project = _project(tmp_path / "p", meta=how == "meta")
    result = migrate(project, plan=True, event_time={"app.events": "event_ts"} if how == "option" else None)
    assert result.ok, [(t.name, d.message) for t in result.tables for d in t.errors]
    events = result.table("events")
    assert "WATERMARK FOR event_ts" in (events.ddl or "")
    hourly = result.table("hourly")
    assert "TUMBLE(TABLE events, DESCRIPTOR(event_ts), INTERVAL '1' HOUR)" in (hourly.dml or "")
    assert hourly.changelog == "append"
    # a time bucket over an updating parent stays an exact regular GROUP BY, and says why
    latest, daily = result.table("latest"), result.table("daily")
    assert latest.changelog == "upsert" and latest.event_time == "event_ts"
    assert "TUMBLE" not in (daily.dml or "") and "FLOOR(event_ts TO DAY)" in (daily.dml or "")
    [note] = [d for d in daily.diagnostics if d.rule_id == "SL4110"]
    assert "updating input" in note.message and "drops the updates" in note.message
    assert daily.changelog in ("upsert", "retract")
    for table in result.tables:  # the planner agrees with the derivation on every table
        assert table.status in (Status.TRANSLATED, Status.DECLARED), table.diagnostics
        assert not [d for d in table.diagnostics if d.rule_id == "SL4111" and d.severity.value != "info"]


def test_unknown_event_time_table_is_reported(tmp_path: Path) -> None:
    result = migrate(_project(tmp_path / "p", meta=True), event_time={"nope": "ts"})
    assert any(d.rule_id == "SL5004" and "nope" in d.message for d in result.diagnostics)


_SPARK_IDIOMS = {
    "tumble": ("SELECT window.start AS ws, window.end AS we, a, count(*) AS c FROM t GROUP BY a, window(ts, '1 hour')", "TUMBLE("),
    "window_start": ("SELECT window.start, count(*) AS c FROM t GROUP BY window(ts, '1 hour')", "TUMBLE("),
    "hop": ("SELECT window.start AS ws, sum(b) AS s FROM t GROUP BY window(ts, '10 minutes', '5 minutes')", "HOP("),
    "session": ("SELECT a, session_window.start AS ws, count(*) AS c FROM t GROUP BY a, session_window(ts, '5 minutes')", "SESSION("),
    "date_trunc": ("SELECT date_trunc('hour', ts) AS h, count(*) AS c FROM t GROUP BY date_trunc('hour', ts)", "TUMBLE("),
    "cte": ("WITH f AS (SELECT a, ts FROM t WHERE b > 0) SELECT window.start AS ws, count(*) AS c FROM f GROUP BY window(ts, '1 hour')", "TUMBLE("),
}
_SCHEMA = {"t": {"a": "int", "b": "int", "ts": "timestamp"}}


@pytest.mark.flink
@pytest.mark.slow
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "inferred"])
@pytest.mark.parametrize("name", list(_SPARK_IDIOMS))
def test_spark_time_buckets_plan_as_window_tvfs(flink_planner_connectors, name: str, declared: bool) -> None:
    sql, tvf = _SPARK_IDIOMS[name]
    result = shiftleft.transpile(
        sql, schema=_SCHEMA, sources=True, sink="out", event_time={"t": "ts"} if declared else None
    )
    assert tvf in result.sql, result.sql
    codes = {d.rule_id for d in result.diagnostics}
    assert ("SL4108" in codes) is not declared
    assert result.statements[-1].outputs[-1].changelog == "append"
    report = flink_planner_connectors.plan(result.sql)
    assert report.ok, (result.sql, [e.message for e in report.errors])


def test_window_without_time_attribute_has_a_code() -> None:
    result = shiftleft.transpile("SELECT window.start AS ws, count(*) AS c FROM t GROUP BY window(ts, '1 hour')")
    assert any(d.rule_id == "SL4109" and d.severity.value == "error" for d in result.diagnostics)
    bucketed = shiftleft.transpile(
        "SELECT date_trunc('hour', ts) AS h, count(*) AS c FROM t GROUP BY date_trunc('hour', ts)",
        event_time={"other": "ts"},
    )
    assert any(d.rule_id == "SL4109" for d in bucketed.diagnostics)
    # a CAST makes it a plain timestamp: no window, and the reason
    cast = shiftleft.transpile(
        "WITH f AS (SELECT CAST(ts AS TIMESTAMP) AS ts FROM t) SELECT window.start AS ws, count(*) AS c "
        "FROM f GROUP BY window(ts, '1 hour')", event_time={"t": "ts"})
    assert any(d.rule_id == "SL4109" and "not a time attribute of f" in d.message for d in cast.diagnostics)
