"""What the Flink dialect generates is accepted by a real embedded Flink 2.3 planner.

Every statement below is first round-tripped through the dialect (parse with read="flink",
generate with "flink"), then the regenerated script is planned.  Only connectors that ship with
PyFlink are used (datagen, blackhole, print, filesystem).
"""

from __future__ import annotations

import pytest
import sqlglot

pytestmark = [pytest.mark.slow, pytest.mark.flink]

# A source with an event-time attribute, a versioned dimension table (primary key + watermark)
# and a few sinks.  Shared by every script below.
DDL: list[str] = [
    (
        "CREATE TABLE orders (id BIGINT, k STRING, cur STRING, price DECIMAL(10, 2), "
        "arr ARRAY<INT>, m MAP<STRING, INT>, r ROW<x INT, y STRING>, `value` STRING, "
        "ts TIMESTAMP(3), pt AS PROCTIME(), total AS price * 2 COMMENT 'doubled', "
        "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) COMMENT 'orders' "
        "WITH ('connector' = 'datagen', 'number-of-rows' = '10')"
    ),
    (
        "CREATE TABLE rates (cur STRING, rate DECIMAL(10, 4), ts TIMESTAMP(3), "
        "WATERMARK FOR ts AS ts, PRIMARY KEY (cur) NOT ENFORCED) WITH ('connector' = 'datagen')"
    ),
    "CREATE TABLE sink_a (id BIGINT, k STRING) WITH ('connector' = 'blackhole')",
    "CREATE TABLE sink_b (k STRING, n BIGINT) WITH ('connector' = 'print')",
    (
        "CREATE TEMPORARY TABLE sink_c WITH ('connector' = 'blackhole') LIKE orders "
        "(EXCLUDING ALL INCLUDING GENERATED)"
    ),
    (
        "CREATE TABLE parts (a INT, b STRING, dt STRING) PARTITIONED BY (dt) "
        "WITH ('connector' = 'filesystem', 'path' = '/tmp/shiftleft-flink-dialect', 'format' = 'csv')"
    ),
    (
        "CREATE TABLE dist (a INT, k STRING) DISTRIBUTED BY HASH(k) INTO 4 BUCKETS "
        "WITH ('connector' = 'blackhole')"
    ),
    (
        "CREATE TABLE with_meta (a INT, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL) "
        "WITH ('connector' = 'datagen')"
    ),
    (
        "CREATE TEMPORARY VIEW IF NOT EXISTS big_orders (id, price) AS "
        "SELECT id, price FROM orders WHERE price > 10"
    ),
]

QUERIES: list[str] = [
    "SELECT `value`, CAST(id AS STRING), TRY_CAST(k AS INT), k IS DISTINCT FROM cur FROM orders",
    "SELECT id, CASE WHEN price > 1 THEN 'big' ELSE 'small' END, arr[1], m['a'], r.x FROM orders",
    (
        "SELECT COALESCE(k, 'x'), IFNULL(k, 'y'), NULLIF(k, 'z'), IF(price > 1, 1, 0), "
        "CHAR_LENGTH(k), CARDINALITY(arr), POSITION('a' IN k), SUBSTRING(k FROM 1 FOR 2), "
        "SUBSTR(k, 1, 2), TRIM(BOTH ' ' FROM k), UPPER(k), CONCAT(k, cur), CONCAT_WS('-', k, cur), "
        "REGEXP(k, 'a+'), REGEXP_EXTRACT(k, '(a)', 1), SPLIT_INDEX(k, ',', 0), MD5(k), SHA256(k), "
        "UUID(), MOD(id, 3), LOG10(price), LOCATE('a', k), INSTR(k, 'a') FROM orders"
    ),
    (
        "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd'), TIMESTAMPDIFF(DAY, ts, LOCALTIMESTAMP), CURRENT_TIMESTAMP, "
        "TIMESTAMPADD(DAY, 1, ts), FLOOR(ts TO DAY), CEIL(ts TO HOUR), EXTRACT(DAY FROM ts), "
        "TO_TIMESTAMP('2024-01-01 00:00:00'), TO_TIMESTAMP('2024/01/01', 'yyyy/MM/dd'), "
        "UNIX_TIMESTAMP(), FROM_UNIXTIME(0), TO_DATE('2024-01-01'), DATE '2024-01-01', "
        "TIMESTAMP '2024-01-01 00:00:00', CURRENT_DATE, LOCALTIMESTAMP, "
        "ts + INTERVAL '1 2' DAY TO HOUR, ROW(id, k), ARRAY[1, 2], MAP['a', 1] FROM orders"
    ),
    (
        "SELECT k, COUNT(DISTINCT id), ARRAY_AGG(DISTINCT id), LISTAGG(k, ','), FIRST_VALUE(price), "
        "LAST_VALUE(price) FROM orders GROUP BY k"
    ),
    (
        "SELECT id, SUM(price) OVER (PARTITION BY k ORDER BY ts "
        "RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) FROM orders"
    ),
    "SELECT id FROM orders QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1",
    "WITH c AS (SELECT k, price FROM orders) SELECT k, MAX(price) FROM c GROUP BY k",
    # window TVFs
    (
        "SELECT window_start, window_end, SUM(price) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), "
        "INTERVAL '10' MINUTE)) GROUP BY window_start, window_end"
    ),
    (
        "SELECT window_start, COUNT(*) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), "
        "INTERVAL '5' MINUTE, INTERVAL '10' MINUTE)) GROUP BY window_start, window_end"
    ),
    (
        "SELECT window_start, COUNT(*) FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), "
        "INTERVAL '2' MINUTE, INTERVAL '10' MINUTE)) GROUP BY window_start, window_end"
    ),
    (
        "SELECT k, window_start, COUNT(*) FROM TABLE(SESSION(TABLE orders PARTITION BY k, "
        "DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY k, window_start, window_end"
    ),
    (
        "SELECT * FROM TABLE(TUMBLE(DATA => TABLE orders, TIMECOL => DESCRIPTOR(ts), "
        "SIZE => INTERVAL '1' HOUR))"
    ),
    # temporal join, unnest
    (
        "SELECT o.id, r.rate FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.ts AS r "
        "ON o.cur = r.cur"
    ),
    "SELECT o.id, elem FROM orders AS o CROSS JOIN UNNEST(o.arr) AS u(elem)",
    "SELECT o.id, elem, pos FROM orders AS o CROSS JOIN UNNEST(o.arr) WITH ORDINALITY AS u(elem, pos)",
    "SELECT o.id, elem FROM orders AS o LEFT JOIN UNNEST(o.arr) AS u(elem) ON TRUE",
    # MATCH_RECOGNIZE
    (
        "SELECT * FROM orders MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts MEASURES A.ts AS start_ts, "
        "LAST(C.ts) AS end_ts ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A B+ C) "
        "WITHIN INTERVAL '1' HOUR DEFINE B AS B.price < A.price, C AS C.price > A.price) AS mr"
    ),
    # hints
    "SELECT /*+ STATE_TTL('o' = '1d') */ o.k, COUNT(*) FROM orders AS o GROUP BY o.k",
    "SELECT id FROM orders /*+ OPTIONS('rows-per-second' = '5') */ AS o",
    "SELECT /*+ BROADCAST(r) */ o.id FROM orders AS o JOIN rates AS r ON o.cur = r.cur",
    "SELECT id FROM big_orders",
]

DML: list[str] = [
    "INSERT INTO sink_a SELECT id, k FROM orders",
    "INSERT INTO sink_a (id, k) VALUES (1, 'a'), (2, 'b')",
    "INSERT INTO parts PARTITION (dt = '2024-01-01') SELECT CAST(id AS INT), k FROM orders",
    (
        "EXECUTE STATEMENT SET BEGIN INSERT INTO sink_a SELECT id, k FROM orders; "
        "INSERT INTO sink_b SELECT k, COUNT(*) FROM orders GROUP BY k; END"
    ),
    "CREATE TABLE ctas WITH ('connector' = 'blackhole') AS SELECT id, k FROM orders",
]


def _roundtrip(statements: list[str]) -> str:
    out: list[str] = []
    for sql in statements:
        (regenerated,) = sqlglot.transpile(sql, read="flink", write="flink")
        out.append(regenerated)
    return ";\n".join(out) + ";\n"


def _assert_ok(report: object, script: str) -> None:
    errors = "\n".join(
        f"statement {s.index} ({s.kind}): {s.error.message}"
        for s in report.statements  # type: ignore[attr-defined]
        if not s.ok and s.error is not None
    )
    assert report.ok, f"{errors}\n--- script ---\n{script}"  # type: ignore[attr-defined]


def test_ddl_accepted(flink_planner) -> None:  # type: ignore[no-untyped-def]
    script = _roundtrip(DDL)
    _assert_ok(flink_planner.plan(script, mode="streaming"), script)


@pytest.mark.parametrize("query", QUERIES)
def test_query_accepted(flink_planner, query: str) -> None:  # type: ignore[no-untyped-def]
    script = _roundtrip([*DDL, query])
    _assert_ok(flink_planner.plan(script, mode="streaming"), script)


def test_dml_accepted(flink_planner) -> None:  # type: ignore[no-untyped-def]
    script = _roundtrip([*DDL, *DML])
    _assert_ok(flink_planner.plan(script, mode="streaming"), script)


def test_sql_client_statement_set_accepted(flink_planner) -> None:  # type: ignore[no-untyped-def]
    statement_set = (
        "BEGIN STATEMENT SET; INSERT INTO sink_a SELECT id, k FROM orders; "
        "INSERT INTO sink_a SELECT id, cur FROM orders; END;"
    )
    script = _roundtrip([*DDL, statement_set])
    assert "EXECUTE STATEMENT SET BEGIN" in script
    _assert_ok(flink_planner.plan(script, mode="streaming"), script)


def test_spark_transpiled_query_accepted(flink_planner) -> None:  # type: ignore[no-untyped-def]
    spark = (
        "SELECT k, date_format(ts, 'yyyy-MM-dd') AS d, count(*) AS n, "
        "sum(CASE WHEN price > 1 THEN 1 ELSE 0 END) AS big, length(k) AS l, "
        'size(arr) AS sz, "lit" AS s FROM orders WHERE k != "x" GROUP BY k, '
        "date_format(ts, 'yyyy-MM-dd'), length(k), size(arr)"
    )
    (flink_sql,) = sqlglot.transpile(spark, read="spark", write="flink")
    script = _roundtrip(DDL) + flink_sql + ";\n"
    _assert_ok(flink_planner.plan(script, mode="streaming"), script)
