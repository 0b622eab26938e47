"""Streaming translations compute what the batch Spark SQL computed.

Each Spark query runs on DuckDB (the source side) and its shiftleft translation, with the
source tables shiftleft declares (watermark on the event time), runs on the embedded Flink
over the same rows, in batch mode and in streaming mode with the changelog folded into final
rows (shiftleft.verify).
"""

from __future__ import annotations

import pytest

import shiftleft

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {
    "orders": {"id": "INT", "customer": "STRING", "amount": "INT", "ts": "TIMESTAMP_NTZ"},
    "customers": {"customer": "STRING", "region": "STRING", "vts": "TIMESTAMP_NTZ"},
}
EVENT_TIME = {"orders": "ts"}
ORDERS = [
    {"id": 1, "customer": "ann", "amount": 10, "ts": "2024-01-01 10:05:00"},
    {"id": 2, "customer": "bob", "amount": 7, "ts": "2024-01-01 10:20:00"},
    {"id": 1, "customer": "ann", "amount": 12, "ts": "2024-01-01 10:40:00"},
    {"id": 3, "customer": "ann", "amount": 3, "ts": "2024-01-01 11:10:00"},
    {"id": 4, "customer": "cid", "amount": 30, "ts": "2024-01-01 11:15:00"},
    {"id": 2, "customer": "bob", "amount": 9, "ts": "2024-01-01 12:01:00"},
]
CUSTOMERS = [
    {"customer": "ann", "region": "eu", "vts": "2023-12-01 00:00:00"},
    {"customer": "bob", "region": "us", "vts": "2023-12-01 00:00:00"},
]

CASES = {
    "dedup-keep-last": "SELECT id, customer, amount FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM orders) WHERE rn = 1",
    "dedup-keep-first": "SELECT id, amount FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ts) AS rn FROM orders) WHERE rn = 1",
    "top-2-per-customer": "SELECT customer, id, amount FROM (SELECT *, row_number() OVER (PARTITION BY customer ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 2",
    "hourly-window": "SELECT date_trunc('hour', ts) AS hour, customer, count(*) AS n, sum(amount) AS total FROM orders GROUP BY date_trunc('hour', ts), customer",
    "upsert-aggregate": "SELECT customer, count(*) AS n, avg(amount) AS avg_amount, max(amount) AS top FROM orders GROUP BY customer",
    "left-join": "SELECT o.id, o.amount, c.region FROM orders AS o LEFT JOIN customers AS c ON o.customer = c.customer",
    "semi-join": "SELECT o.id, o.amount FROM orders AS o LEFT SEMI JOIN customers AS c ON o.customer = c.customer",
    # whole-partition window aggregates (SL4014: a join with the grouped aggregate in streaming)
    "partition-share": "SELECT id, amount, amount / sum(amount) OVER (PARTITION BY customer) AS share, count(*) OVER (PARTITION BY customer) AS n FROM orders WHERE amount > 5",
    "partition-over-join": "SELECT o.id, c.region, max(o.amount) OVER (PARTITION BY c.region) AS top, min(o.amount) OVER () AS low FROM orders AS o LEFT JOIN customers AS c ON o.customer = c.customer",
}


@pytest.mark.parametrize("mode", ["batch", "streaming"])
@pytest.mark.parametrize("name", list(CASES))
def test_streaming_translation_equals_the_batch_source(flink_planner_connectors, name: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    sql = CASES[name]
    translation = shiftleft.transpile(sql, mode=mode, schema=SCHEMA, event_time=EVENT_TIME, sources=True)
    assert translation.sources, "source tables are declared"
    report = shiftleft.verify(
        sql,
        translation=translation,
        mode=mode,
        schema=SCHEMA,
        seeds={"orders": ORDERS, "customers": CUSTOMERS},
        planner=flink_planner_connectors,
    )
    assert report.ok and report.reconciled, report.format(name) + "\n" + translation.sql
