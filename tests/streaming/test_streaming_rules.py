"""Behaviour of the streaming rule pack (SL40xx) that the rule examples do not show."""

from __future__ import annotations

import pytest

import shiftleft
from shiftleft.models import Severity

ET = {"t": "ts"}


def _ids(result: shiftleft.TranspileResult, prefix: str = "SL40") -> list[tuple[str, str]]:
    return [(d.rule_id, d.severity.value) for d in result.diagnostics if d.rule_id.startswith(prefix)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT a FROM t ORDER BY a",
        "SELECT a, lead(b) OVER (PARTITION BY a ORDER BY ts) FROM t",
        "SELECT a, sum(b) OVER (PARTITION BY a) FROM t",
        "SELECT a, current_date() FROM t",
        "SELECT l.a FROM t AS l JOIN t AS r ON l.a = r.a",
        "SELECT a FROM (SELECT a, rank() OVER (PARTITION BY a ORDER BY b DESC) AS rk FROM t) WHERE rk <= 3",
        "SELECT date_trunc('hour', ts) AS h, count(*) FROM t GROUP BY date_trunc('hour', ts)",
    ],
)
def test_batch_mode_is_untouched(sql: str) -> None:
    streaming = shiftleft.transpile(sql, mode="streaming", event_time=ET)
    batch = shiftleft.transpile(sql, mode="batch", event_time=ET)
    assert _ids(streaming) or streaming.sql != batch.sql, "streaming mode should differ"
    assert not _ids(batch)
    assert batch.sql == shiftleft.transpile(sql, mode="batch", disable=_all_streaming_ids()).sql


def _all_streaming_ids() -> list[str]:
    return [f"SL400{i}" for i in range(1, 10)]


def test_without_event_time_the_time_dependent_rules_stay_silent() -> None:
    dedup = "SELECT a FROM (SELECT a, row_number() OVER (PARTITION BY a ORDER BY b DESC) AS rn FROM t) WHERE rn = 1"
    assert not _ids(shiftleft.transpile(dedup))
    bucket = "SELECT date_trunc('hour', ts) AS h, count(*) AS c FROM t GROUP BY date_trunc('hour', ts)"
    result = shiftleft.transpile(bucket)
    assert "TUMBLE" not in result.sql and not _ids(result)
    over = "SELECT a, sum(b) OVER (PARTITION BY a ORDER BY b) FROM t"
    assert not _ids(shiftleft.transpile(over))


def test_order_by_without_event_time_is_a_warning_not_an_error() -> None:
    result = shiftleft.transpile("SELECT a FROM t ORDER BY ts")
    assert _ids(result) == [("SL4005", "warning")]
    assert _ids(shiftleft.transpile("SELECT a FROM t ORDER BY ts", event_time=ET)) == []
    assert _ids(shiftleft.transpile("SELECT a FROM t ORDER BY ts DESC")) == [("SL4005", "error")]


def test_order_by_only_the_final_one_counts() -> None:
    nested = "SELECT * FROM (SELECT a FROM t ORDER BY a) AS q"
    assert not _ids(shiftleft.transpile(nested, event_time=ET))
    insert = "INSERT INTO out SELECT a FROM t ORDER BY a"
    assert _ids(shiftleft.transpile(insert, event_time=ET)) == [("SL4005", "error")]
    union = "SELECT a FROM t UNION ALL SELECT b FROM t ORDER BY a"
    assert ("SL4005", "error") in _ids(shiftleft.transpile(union, event_time=ET))
    grouped = "SELECT ts, count(*) FROM t GROUP BY ts ORDER BY ts"
    assert _ids(shiftleft.transpile(grouped, event_time=ET)) == [("SL4005", "error")]


def test_dedup_messages_name_the_pattern_and_changelog() -> None:
    keep_last = "SELECT a FROM (SELECT a, row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) q WHERE q.rn = 1"
    [d] = [d for d in shiftleft.transpile(keep_last, event_time=ET).diagnostics if d.rule_id == "SL4001"]
    assert d.severity == Severity.INFO and "keep-last" in d.message and "upsert sink keyed on a" in d.message
    keep_first = keep_last.replace("DESC", "ASC")
    [d] = [d for d in shiftleft.transpile(keep_first, event_time=ET).diagnostics if d.rule_id == "SL4001"]
    assert "insert-only" in d.message
    top_n = keep_last.replace("ts DESC", "b DESC")
    [d] = [d for d in shiftleft.transpile(top_n, event_time=ET).diagnostics if d.rule_id == "SL4001"]
    assert d.severity == Severity.WARNING and "Top-" in d.message and d.suggestion


def test_unfiltered_row_number_is_an_over_aggregation() -> None:
    sql = "SELECT a, row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t"
    assert _ids(shiftleft.transpile(sql, event_time=ET)) == [("SL4004", "error")]


def test_dedup_inside_a_cte_and_nested_query() -> None:
    sql = (
        "WITH latest AS (SELECT * FROM (SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn "
        "FROM t) AS x WHERE rn = 1) SELECT a, b FROM latest"
    )
    assert _ids(shiftleft.transpile(sql, event_time=ET)) == [("SL4001", "info")]


def test_window_tvf_keeps_the_table_alias_and_maps_order_by() -> None:
    sql = (
        "SELECT o.a, `window`.start AS ws, count(*) AS c FROM t AS o "
        "GROUP BY o.a, `window`(o.ts, '1 hour 30 minutes')"
    )
    result = shiftleft.transpile(sql, event_time=ET)
    assert result.sql.rstrip().rstrip(";") == (
        "SELECT o.a, window_start AS ws, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), "
        "INTERVAL '90' MINUTE)) AS o GROUP BY o.a, window_start, window_end"
    )
    assert "SL4007" in result.rules_applied


def test_window_on_a_non_event_time_column_is_reported() -> None:
    result = shiftleft.transpile("SELECT count(*) FROM t GROUP BY `window`(ts2, '10 minutes')", event_time=ET)
    assert ("SL4109", "error") in _ids(result, "SL41")  # a window needs a time attribute
    result = shiftleft.transpile("SELECT count(*) FROM t GROUP BY date_trunc('month', ts)", event_time=ET)
    assert _ids(result) == [("SL4007", "warning")]


def test_window_rewrite_inside_a_subquery() -> None:
    sql = "SELECT * FROM (SELECT date_trunc('minute', ts) AS m, count(*) AS c FROM t GROUP BY date_trunc('minute', ts)) AS q"
    result = shiftleft.transpile(sql, event_time=ET)
    assert "TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))" in result.sql


def test_unquoted_group_by_window_parses() -> None:
    # sqlglot's Spark reader alone takes `GROUP BY window(` for a WINDOW clause
    result = shiftleft.transpile("SELECT count(*) FROM t GROUP BY window(ts, '10 minutes')", event_time=ET)
    assert result.sql == (
        "SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' MINUTE)) "
        "GROUP BY window_start, window_end;\n"
    )


def test_window_rewrite_after_group_by_alias_fix() -> None:
    # SL3005 changes the GROUP BY in place; SL4007 must still see the SELECT afterwards
    result = shiftleft.transpile("SELECT date_trunc('hour', ts) AS h, count(*) AS c FROM t GROUP BY h", event_time=ET)
    assert result.sql == (
        "SELECT window_start AS h, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), "
        "INTERVAL '1' HOUR)) GROUP BY window_start, window_end;\n"
    )
    assert {"SL3005", "SL4007"} <= set(result.rules_applied)


def test_semi_join_in_a_nested_query_and_with_a_following_join() -> None:
    sql = (
        "SELECT * FROM (SELECT l.a FROM t AS l LEFT SEMI JOIN t AS r ON l.a = r.b JOIN t AS z ON l.a = z.i) AS q"
    )
    result = shiftleft.transpile(sql, mode="batch")
    assert result.sql.rstrip().rstrip(";") == (
        "SELECT * FROM (SELECT l.a FROM t AS l JOIN t AS z ON l.a = z.i "
        "WHERE EXISTS(SELECT 1 FROM t AS r WHERE l.a = r.b)) AS q"
    )
    full = "SELECT l.a FROM t AS l LEFT ANTI JOIN t AS r ON l.a = r.b FULL JOIN t AS z ON l.a = z.i"
    assert ("SL4008", "error") in _ids(shiftleft.transpile(full, mode="batch"))


def test_regular_join_suggests_ttl_with_the_aliases() -> None:
    result = shiftleft.transpile("SELECT o.a FROM t AS o LEFT JOIN t AS d ON o.a = d.a")
    [d] = [d for d in result.diagnostics if d.rule_id == "SL4009"]
    assert "STATE_TTL('d' = '1d', 'o' = '1d')" in (d.suggestion or "") and "updates" in d.message
    unnest = "SELECT a, x FROM t CROSS JOIN UNNEST(arr) AS u(x)"
    assert not _ids(shiftleft.transpile(unnest))


def test_now_in_a_cte_is_reported_with_a_position() -> None:
    sql = "WITH x AS (SELECT a, now() AS n FROM t)\nSELECT * FROM x"
    [d] = [d for d in shiftleft.transpile(sql).diagnostics if d.rule_id == "SL4006"]
    assert d.severity == Severity.WARNING and d.line == 1


@pytest.mark.slow
@pytest.mark.flink
def test_rewritten_windows_plan_in_streaming(flink_planner) -> None:  # type: ignore[no-untyped-def]
    from tests.rules.test_rules_flink_planner import DDL

    queries = [
        "SELECT o.a, `window`.start AS ws, count(*) AS c FROM t AS o GROUP BY o.a, `window`(o.ts, '1 hour 30 minutes')",
        "SELECT * FROM (SELECT date_trunc('minute', ts) AS m, count(*) AS c FROM t GROUP BY date_trunc('minute', ts)) AS q",
        "SELECT session_window.end AS we, count(*) AS c FROM t GROUP BY session_window(ts, '30 seconds')",
    ]
    for sql in queries:
        result = shiftleft.transpile(sql, event_time=ET)
        report = flink_planner.plan(f"{DDL};\n{result.sql}", mode="streaming")
        assert report.ok, f"{result.sql}\n" + "\n".join(str(e) for e in report.errors)


def test_now_policy_and_state_ttl_options() -> None:
    from shiftleft.streaming.options import StreamingOptions

    sql = "SELECT a FROM t WHERE ts > current_timestamp()"
    [warn] = [d for d in shiftleft.transpile(sql).diagnostics if d.rule_id == "SL4006"]
    assert warn.severity.value == "warning"
    strict = shiftleft.transpile(sql, streaming=StreamingOptions(now="error"))
    assert [d.severity.value for d in strict.diagnostics if d.rule_id == "SL4006"] == ["error"]
    assert not strict.ok
    join = "SELECT l.a FROM t AS l LEFT JOIN u AS r ON l.a = r.a"
    ttl = shiftleft.transpile(join, streaming=StreamingOptions(state_ttl="12h"))
    assert ttl.sql.startswith("SELECT /*+ STATE_TTL('l' = '12h', 'r' = '12h') */ l.a")
    assert [d.rule_id for d in ttl.diagnostics] == ["SL4013"]
    with pytest.raises(ValueError, match="state_ttl must look like"):
        StreamingOptions(state_ttl="one day")


def test_cli_streaming_policies(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from shiftleft.cli import main

    model = tmp_path / "m.sql"
    model.write_text("SELECT l.a FROM t AS l JOIN u AS r ON l.a = r.a WHERE l.ts > now()")
    assert main(["transpile", str(model), "--state-ttl", "1d", "--now-policy", "error"]) == 1
    out, err = capsys.readouterr()
    assert "STATE_TTL('l' = '1d', 'r' = '1d')" in out and "error [SL4006]" in err
    assert main(["transpile", str(model), "--state-ttl", "soon"]) == 2
    assert "state_ttl must look like" in capsys.readouterr().err
