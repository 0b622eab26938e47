"""Changelog inference and sink DDL, proven on the real Flink 2.3 planner with the real
Kafka / upsert-kafka connectors in streaming mode."""

from __future__ import annotations

import pytest
import sqlglot

import shiftleft
from shiftleft.streaming.changelog import ChangelogMode, analyze

SOURCE = (
    "CREATE TABLE orders (id INT, customer STRING, amount INT, ts TIMESTAMP(3), "
    "WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');\n"
    "CREATE TABLE customers (customer STRING, region STRING) WITH ('connector' = 'datagen');\n"
)
SCHEMA = {
    "orders": {"id": "INT", "customer": "STRING", "amount": "INT", "ts": "TIMESTAMP"},
    "customers": {"customer": "STRING", "region": "STRING"},
}
ET = {"orders": "ts"}

CASES = [
    # (spark query, expected mode, expected key, connector in the DDL)
    ("SELECT customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY customer", "upsert", ["customer"], "upsert-kafka"),
    ("SELECT id, customer, amount FROM orders WHERE amount > 10", "append", [], "'format' = 'json'"),
    (
        "SELECT id, customer, amount FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM orders) WHERE rn = 1",
        "upsert",
        ["id"],
        "upsert-kafka",
    ),
    (
        "SELECT window.start AS bucket, customer, count(*) AS n FROM orders GROUP BY window(ts, '1 hour'), customer",
        "append",
        [],
        "'format' = 'json'",
    ),
    ("SELECT o.id, c.region FROM orders AS o LEFT JOIN customers AS c ON o.customer = c.customer", "retract", [], "debezium-json"),
    ("SELECT DISTINCT customer FROM orders", "upsert", ["customer"], "upsert-kafka"),
    # a COUNT a rule builds (count_if's) is a BIGINT in the sink, as Flink types it
    ("SELECT customer, count_if(amount > 10) AS n FROM orders GROUP BY customer", "upsert", ["customer"], "upsert-kafka"),
]


@pytest.mark.parametrize(("sql", "mode", "key", "_"), CASES)
def test_changelog_inference(sql: str, mode: str, key: list[str], _: str) -> None:
    flink = shiftleft.transpile(sql, event_time=ET).sql
    changelog = analyze(sqlglot.parse_one(flink.rstrip().rstrip(";"), read="flink"))
    assert (changelog.mode, changelog.key) == (ChangelogMode(mode), key)


@pytest.mark.slow
@pytest.mark.flink
@pytest.mark.parametrize(("sql", "mode", "key", "connector"), CASES)
def test_sink_ddl_plans_with_real_connectors(flink_planner_connectors, sql: str, mode: str, key: list[str], connector: str) -> None:  # type: ignore[no-untyped-def]
    result = shiftleft.transpile(sql, sink="out", schema=SCHEMA, event_time=ET)
    assert connector in result.sql
    assert any(d.rule_id == "SL4101" and mode in d.message for d in result.diagnostics)
    assert not [d for d in result.diagnostics if d.rule_id == "SL4102"], "types come from schema="
    report = flink_planner_connectors.plan(SOURCE + result.sql, mode="streaming")
    assert report.ok, "\n".join(str(e) for e in report.errors) + "\n" + result.sql


@pytest.mark.slow
@pytest.mark.flink
def test_an_append_sink_would_have_been_rejected(flink_planner_connectors) -> None:  # type: ignore[no-untyped-def]
    """The reason for all this: the same aggregate into a plain kafka topic is refused."""
    flink = shiftleft.transpile(CASES[0][0]).sql
    ddl = (
        "CREATE TABLE totals_append (customer STRING, n BIGINT, total BIGINT) WITH ('connector' = 'kafka', "
        "'topic' = 'out', 'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json');\n"
    )
    report = flink_planner_connectors.plan(SOURCE + ddl + "INSERT INTO totals_append " + flink, mode="streaming")
    assert not report.ok and "update" in report.errors[0].message


def test_insert_overwrite_and_ctas_become_ddl_plus_insert() -> None:
    for sql in ("INSERT OVERWRITE TABLE daily SELECT customer, amount FROM orders", "CREATE TABLE daily AS SELECT customer, amount FROM orders"):
        result = shiftleft.transpile(sql, schema=SCHEMA)
        assert result.sql.startswith("CREATE TABLE daily (\n  customer STRING,\n  amount INT\n)")
        assert "INSERT INTO daily SELECT customer, amount FROM orders;" in result.sql
        assert "OVERWRITE" not in result.sql
    # batch mode keeps Flink batch's own INSERT OVERWRITE
    assert "INSERT OVERWRITE" in shiftleft.transpile("INSERT OVERWRITE TABLE daily SELECT customer FROM orders", mode="batch").sql


def test_confluent_sink() -> None:
    result = shiftleft.transpile(CASES[0][0], sink="totals", target="confluent", schema=SCHEMA)
    assert "PRIMARY KEY (customer) NOT ENFORCED" in result.sql
    assert "DISTRIBUTED BY HASH(customer) INTO 6 BUCKETS" in result.sql
    assert "'changelog.mode' = 'upsert'" in result.sql and "'value.format' = 'avro-registry'" in result.sql


def test_insert_into_existing_table_and_merge_are_reported() -> None:
    result = shiftleft.transpile("INSERT INTO totals " + CASES[0][0])
    [note] = [d for d in result.diagnostics if d.rule_id == "SL4104"]
    assert "upsert" in note.message and "PRIMARY KEY (customer) NOT ENFORCED" in note.message
    merge = shiftleft.transpile("MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN UPDATE SET t.b = u.b")
    assert any(d.rule_id == "SL4103" and d.severity.value == "error" for d in merge.diagnostics)


def test_unknown_types_are_warned_not_guessed_silently() -> None:
    result = shiftleft.transpile("SELECT a, b FROM t", sink="out")
    assert [d.rule_id for d in result.diagnostics].count("SL4102") == 2
    assert "a STRING" in result.sql


def test_bad_sink_argument() -> None:
    with pytest.raises(shiftleft.ConfigError, match="sink must be"):
        shiftleft.transpile("SELECT 1", sink="  ")


MERGE = (
    "MERGE INTO customer_latest AS t USING (SELECT id, customer, amount FROM orders) AS s "
    "ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
)


def test_dbt_style_merge_becomes_an_upsert_sink() -> None:
    result = shiftleft.transpile(MERGE, schema=SCHEMA)
    assert result.sql.startswith(
        "CREATE TABLE customer_latest (\n  id INT,\n  customer STRING,\n  amount INT,\n  PRIMARY KEY (id) NOT ENFORCED\n)"
    )
    assert result.sql.endswith(
        "INSERT INTO customer_latest SELECT id, customer, amount FROM orders ON CONFLICT DO DEDUPLICATE;\n"
    )
    assert result.ok and any(d.rule_id == "SL4101" for d in result.diagnostics)


@pytest.mark.slow
@pytest.mark.flink
def test_merge_upsert_plans(flink_planner_connectors) -> None:  # type: ignore[no-untyped-def]
    result = shiftleft.transpile(MERGE, schema=SCHEMA)
    report = flink_planner_connectors.plan(SOURCE + result.sql, mode="streaming")
    assert report.ok, "\n".join(str(e) for e in report.errors)
