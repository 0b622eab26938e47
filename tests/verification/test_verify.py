"""verify(): planted mistakes are caught, correct translations pass (real Flink 2.3 + DuckDB)."""

from __future__ import annotations

import datetime as dt

import pytest

from shiftleft.models import Severity
from shiftleft.pipeline import transpile
from shiftleft.verification import (
    NOT_RECONCILED,
    PLANNER_ERROR,
    ROWS_DIFFER,
    confluent_to_oss,
    verify,
)

pytestmark = [pytest.mark.slow, pytest.mark.flink]

ORDERS_SCHEMA = {"orders": {"id": "INT", "ordered": "DATE", "shipped": "DATE"}}
ORDERS_ROWS = [
    {"id": 1, "ordered": dt.date(2024, 1, 1), "shipped": dt.date(2024, 1, 5)},
    {"id": 2, "ordered": dt.date(2024, 2, 10), "shipped": dt.date(2024, 2, 11)},
    {"id": 3, "ordered": dt.date(2024, 3, 1), "shipped": None},
]
DATEDIFF_SPARK = "SELECT id, datediff(shipped, ordered) AS days FROM orders"


def test_datediff_correct_translation_is_verified(flink_planner) -> None:
    report = verify(
        DATEDIFF_SPARK, schema=ORDERS_SCHEMA, seeds={"orders": ORDERS_ROWS},
        mode="batch", planner=flink_planner,
    )
    assert report.ok, report.format()
    assert report.planned and report.reconciled
    assert report.checks[0].diff.matched_rows == 3


def test_datediff_swapped_arguments_are_caught(flink_planner) -> None:
    wrong = (
        "SELECT id, TIMESTAMPDIFF(DAY, CAST(shipped AS DATE), CAST(ordered AS DATE)) AS days "
        "FROM orders"
    )
    report = verify(
        DATEDIFF_SPARK, translation=wrong, schema=ORDERS_SCHEMA,
        seeds={"orders": ORDERS_ROWS}, mode="batch", planner=flink_planner,
    )
    assert not report.ok
    assert report.planned  # it plans fine: only the rows tell
    diff = report.checks[0].diff
    assert diff.mismatched_count == 2  # the NULL row agrees
    by_key = {m.key["id"]: m for m in diff.mismatched}
    assert by_key[1].expected["days"] == 4 and by_key[1].actual["days"] == -4
    assert by_key[1].columns == ["days"]
    assert [d.rule_id for d in report.diagnostics] == [ROWS_DIFFER]
    assert report.diagnostics[0].statement == 1


ARRAY_SCHEMA = {"events": {"id": "INT", "tags": "ARRAY<STRING>"}}
ARRAY_ROWS = [
    {"id": 1, "tags": ["a", "b"]},
    {"id": 2, "tags": ["c"]},
    {"id": 3, "tags": ["d", "e", "f"]},
]
ARRAY_SPARK = "SELECT id, tags[0] AS first_tag FROM events"


def test_array_index_correct_translation_is_verified(flink_planner) -> None:
    result = transpile(ARRAY_SPARK, schema=ARRAY_SCHEMA, mode="streaming")
    assert "tags[1]" in result.sql
    report = verify(
        ARRAY_SPARK, translation=result, schema=ARRAY_SCHEMA, seeds={"events": ARRAY_ROWS},
        mode="streaming", planner=flink_planner,
    )
    assert report.ok, report.format()
    assert report.reconciled


def test_zero_based_array_index_is_caught(flink_planner) -> None:
    report = verify(
        ARRAY_SPARK, translation="SELECT id, tags[0] AS first_tag FROM events",
        schema=ARRAY_SCHEMA, seeds={"events": ARRAY_ROWS}, mode="streaming",
        planner=flink_planner,
    )
    assert not report.ok
    check = report.checks[0]
    assert check.status in ("different", "error"), check
    if check.status == "different":
        assert check.diff.mismatched_count == 3
        assert all(m.columns == ["first_tag"] for m in check.diff.mismatched)


KAFKA_DDL = """\
CREATE TABLE clicks (user_id STRING, url STRING) WITH (
  'connector' = 'kafka', 'topic' = 'clicks',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'
);
CREATE TABLE click_counts (user_id STRING, n BIGINT) WITH (
  'connector' = 'kafka', 'topic' = 'counts',
  'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json'
);
"""


def test_append_kafka_sink_fed_by_an_aggregate_is_rejected(flink_planner_connectors) -> None:
    script = KAFKA_DDL + (
        "INSERT INTO click_counts\n"
        "SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id;\n"
    )
    report = verify(translation=script, mode="streaming", planner=flink_planner_connectors)
    assert not report.ok
    (diag,) = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert diag.rule_id == PLANNER_ERROR
    assert diag.statement == 3
    assert (diag.line, diag.column) == (10, 1)  # no position from Flink: the statement's
    assert "doesn't support consuming update changes" in diag.message


def test_upsert_kafka_sink_fed_by_an_aggregate_is_accepted(flink_planner_connectors) -> None:
    script = KAFKA_DDL.replace(
        "CREATE TABLE click_counts (user_id STRING, n BIGINT) WITH (\n  'connector' = 'kafka', "
        "'topic' = 'counts',\n  'properties.bootstrap.servers' = 'localhost:9092', "
        "'format' = 'json'",
        "CREATE TABLE click_counts (user_id STRING, n BIGINT, PRIMARY KEY (user_id) NOT "
        "ENFORCED) WITH (\n  'connector' = 'upsert-kafka', 'topic' = 'counts',\n  "
        "'properties.bootstrap.servers' = 'localhost:9092', 'key.format' = 'json', "
        "'value.format' = 'json'",
    ) + "INSERT INTO click_counts SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id;\n"
    assert "upsert-kafka" in script
    report = verify(translation=script, mode="streaming", planner=flink_planner_connectors)
    assert report.ok, report.format()


DEDUP_SCHEMA = {"readings": {"sensor": "STRING", "reading": "INT", "ts": "TIMESTAMP"}}
DEDUP_ROWS = [
    {"sensor": "a", "reading": 5, "ts": dt.datetime(2024, 1, 1, 10)},
    {"sensor": "a", "reading": 9, "ts": dt.datetime(2024, 1, 1, 11)},
    {"sensor": "a", "reading": 7, "ts": dt.datetime(2024, 1, 1, 12)},
    {"sensor": "b", "reading": 1, "ts": dt.datetime(2024, 1, 1, 10)},
    {"sensor": "b", "reading": 3, "ts": dt.datetime(2024, 1, 1, 9)},
]
DEDUP_SPARK = """\
SELECT sensor, reading FROM (
  SELECT sensor, reading,
         ROW_NUMBER() OVER (PARTITION BY sensor ORDER BY reading DESC) AS rn
  FROM readings
) WHERE rn = 1"""


def test_dedup_ordered_by_a_non_time_column_is_a_top_n_in_streaming(flink_planner) -> None:
    """Flink 2.3 does not reject it: ORDER BY a non-time column is planned as a Top-N
    (``Rank``, an updating result) instead of a ``Deduplicate``; folding the changelog gives
    the same rows as the batch source."""
    report = verify(
        DEDUP_SPARK, schema=DEDUP_SCHEMA, seeds={"readings": DEDUP_ROWS},
        mode="streaming", planner=flink_planner,
    )
    assert report.ok, report.format()
    plan = report.plan.statements[0].plan
    assert "Rank(" in plan and "Deduplicate" not in plan
    check = report.checks[0]
    assert check.status == "equal"
    assert check.actual_rows == 2


def test_dedup_top_n_into_an_append_sink_is_rejected(flink_planner_connectors) -> None:
    script = """\
CREATE TABLE readings (sensor STRING, reading INT) WITH (
  'connector' = 'kafka', 'topic' = 'r', 'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
CREATE TABLE latest (sensor STRING, reading INT) WITH (
  'connector' = 'kafka', 'topic' = 'l', 'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json');
INSERT INTO latest SELECT sensor, reading FROM (
  SELECT sensor, reading,
         ROW_NUMBER() OVER (PARTITION BY sensor ORDER BY reading DESC) AS rn
  FROM readings) WHERE rn = 1;
"""
    report = verify(translation=script, mode="streaming", planner=flink_planner_connectors)
    assert not report.ok
    assert report.diagnostics[0].rule_id == PLANNER_ERROR
    assert report.diagnostics[0].statement == 3


def test_group_by_aggregate_streaming_changelog_is_folded(flink_planner) -> None:
    spark = "SELECT sensor, SUM(reading) AS total, COUNT(*) AS n FROM readings GROUP BY sensor"
    report = verify(
        spark, schema=DEDUP_SCHEMA, seeds={"readings": DEDUP_ROWS}, mode="streaming",
        planner=flink_planner,
    )
    assert report.ok, report.format()
    assert report.checks[0].actual_rows == 2


def test_generated_rows_from_schema(flink_planner) -> None:
    schema = {"t": {"id": "INT", "category": "STRING", "amount": "DECIMAL(10,2)"}}
    spark = (
        "SELECT category, count(*) AS n, sum(amount) AS total, avg(amount) AS mean "
        "FROM t GROUP BY category"
    )
    report = verify(spark, schema=schema, generate_rows=40, mode="batch", planner=flink_planner)
    assert report.ok, report.format()
    assert report.checks[0].expected_rows and report.checks[0].expected_rows >= 3


def test_without_rows_only_plans(flink_planner) -> None:
    report = verify("SELECT 1 AS x", mode="batch", planner=flink_planner)
    assert report.ok
    assert report.checks == []
    assert any(d.rule_id == "SLV005" for d in report.diagnostics)


def test_planner_error_points_at_statement_line_and_column(flink_planner) -> None:
    script = "CREATE TABLE t (a INT) WITH ('connector' = 'datagen');\nSELECT b\nFROM t;\n"
    report = verify(translation=script, mode="batch", planner=flink_planner)
    (diag,) = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert (diag.rule_id, diag.statement, diag.line, diag.column) == (PLANNER_ERROR, 2, 2, 8)
    assert "Column 'b' not found" in diag.message


# ---------------------------------------------------------------------------------------------
# Confluent -> OSS mapping
# ---------------------------------------------------------------------------------------------

CONFLUENT_DDL = """\
CREATE TABLE totals (
  customer STRING,
  total DECIMAL(38, 2),
  PRIMARY KEY (customer) NOT ENFORCED
) DISTRIBUTED BY HASH(customer) INTO 4 BUCKETS
WITH ('changelog.mode' = 'upsert', 'value.format' = 'avro-registry', 'kafka.retention.time' = '7 d')"""


def test_confluent_upsert_table_maps_to_upsert_kafka() -> None:
    mapped = confluent_to_oss(CONFLUENT_DDL)
    assert "DISTRIBUTED" not in mapped
    assert "'connector' = 'upsert-kafka'" in mapped
    assert "'key.format' = 'json'" in mapped and "'value.format' = 'json'" in mapped
    assert "changelog.mode" not in mapped and "kafka.retention" not in mapped
    assert "avro-registry" not in mapped


def test_confluent_append_table_gets_rowtime_when_used() -> None:
    ddl = "CREATE TABLE clicks (user_id STRING, url STRING) WITH ('changelog.mode' = 'append')"
    mapped = confluent_to_oss(ddl, script=ddl + "; SELECT `$rowtime` FROM clicks")
    assert "'connector' = 'kafka'" in mapped and "'format' = 'json'" in mapped
    assert "`$rowtime` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL" in mapped
    assert "WATERMARK FOR `$rowtime`" in mapped
    assert confluent_to_oss("SELECT 1") == "SELECT 1"


def test_confluent_script_plans_after_mapping(flink_planner_connectors) -> None:
    script = (
        CONFLUENT_DDL + ";\n"
        "CREATE TABLE clicks (customer STRING, amount DECIMAL(10, 2)) "
        "WITH ('changelog.mode' = 'append');\n"
        "INSERT INTO totals SELECT customer, SUM(amount) FROM clicks "
        "WHERE `$rowtime` > TIMESTAMP '2024-01-01 00:00:00' GROUP BY customer;\n"
    )
    report = verify(
        translation=script, target="confluent", mode="streaming",
        planner=flink_planner_connectors,
    )
    assert report.ok, report.format() + report.planned_sql
    assert "upsert-kafka" in report.planned_sql


def test_a_statement_whose_rows_were_not_compared_is_never_verified(flink_planner) -> None:
    """Two queries; the second's translation is a view, so its rows cannot be compared: the
    first is equal, yet the run is not "verified" and the skipped one carries SLV005."""
    source = f"{DATEDIFF_SPARK};\nSELECT id FROM orders"
    translation = transpile(DATEDIFF_SPARK, read="spark").sql + ";\nCREATE TEMPORARY VIEW v AS SELECT id FROM orders"
    report = verify(
        source, translation=translation, schema=ORDERS_SCHEMA, seeds={"orders": ORDERS_ROWS},
        mode="batch", planner=flink_planner,
    )
    assert [c.status for c in report.checks] == ["equal", "skipped"]
    assert report.verdict().startswith("NOT verified: 1 of 2 statements compared")
    skipped = [d for d in report.diagnostics if d.rule_id == NOT_RECONCILED]
    assert [(d.statement, d.severity) for d in skipped] == [(2, Severity.WARNING)]


def test_confluent_registry_options_are_dropped(flink_planner_connectors) -> None:
    """The DDL Confluent Cloud users write (schema contexts of the registry formats, an
    unbounded scan) maps to a table the open-source planner accepts as source and sink."""
    options = ("'key.avro-registry.schema-context' = '.dev', 'value.avro-registry.schema-context' = '.dev', "
               "'key.format' = 'avro-registry', 'value.format' = 'avro-registry', 'scan.bounded.mode' = 'unbounded'")
    upsert = f"CREATE TABLE u (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('changelog.mode' = 'upsert', {options})"
    append = f"CREATE TABLE a (k STRING, v INT) WITH ('changelog.mode' = 'append', {options})"
    mapped = [confluent_to_oss(upsert), confluent_to_oss(append)]
    assert not any("registry" in m for m in mapped)
    report = flink_planner_connectors.plan(";\n".join(mapped) + ";\nINSERT INTO u SELECT k, SUM(v) FROM a GROUP BY k;")
    assert report.ok, report.errors
