"""sqlglot.transpile(read="spark", write="flink") on plain Spark queries.

Only spelling is checked here: semantic Spark -> Flink rewrites (DATEDIFF argument order, 0- vs
1-based arrays, ...) belong to the rule engine, not to the dialect.
"""

from __future__ import annotations

import pytest
import sqlglot

CASES: list[tuple[str, str]] = [
    (
        'SELECT a, b FROM t WHERE c = "text" AND d != 1',
        "SELECT a, b FROM t WHERE c = 'text' AND d <> 1",
    ),
    ("SELECT 'it\\'s'", "SELECT 'it''s'"),
    (
        "SELECT `value`, date, user, `my col` FROM t",
        "SELECT `value`, `date`, `user`, `my col` FROM t",
    ),
    ("SELECT name, type, catalog FROM t", "SELECT name, type, catalog FROM t"),
    (
        "SELECT CAST(a AS STRING), CAST(b AS VARCHAR(10)), CAST(c AS BINARY), CAST(e AS DECIMAL(10,2)), CAST(f AS LONG)",
        # Spark has no length-limited strings: VARCHAR(n) is STRING there.
        "SELECT CAST(a AS STRING), CAST(b AS STRING), CAST(c AS BINARY), CAST(e AS DECIMAL(10, 2)), CAST(f AS BIGINT)",
    ),
    (
        "SELECT CAST(g AS ARRAY<STRING>), CAST(h AS MAP<STRING, INT>), CAST(i AS STRUCT<a:INT, b:STRING>)",
        "SELECT CAST(g AS ARRAY<STRING>), CAST(h AS MAP<STRING, INT>), CAST(i AS ROW<a INT, b STRING>)",
    ),
    (
        "SELECT CAST(a AS TIMESTAMP_NTZ), CAST(a AS DATE)",
        "SELECT CAST(a AS TIMESTAMP), CAST(a AS DATE)",
    ),
    ("SELECT TRY_CAST(a AS INT)", "SELECT TRY_CAST(a AS INT)"),
    (
        "SELECT date_format(ts, 'yyyy-MM-dd HH:mm') FROM t",
        "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm') FROM t",
    ),
    (
        "SELECT coalesce(a, b), length(s), size(arr), s RLIKE 'a+', if(a > 1, 'x', 'y') FROM t",
        "SELECT COALESCE(a, b), CHAR_LENGTH(s), CARDINALITY(arr), REGEXP(s, 'a+'), IF(a > 1, 'x', 'y') FROM t",
    ),
    (
        "SELECT ts + INTERVAL 5 SECONDS, ts - INTERVAL '1' DAY, INTERVAL 2 HOURS FROM t",
        "SELECT ts + INTERVAL '5' SECOND, ts - INTERVAL '1' DAY, INTERVAL '2' HOUR FROM t",
    ),
    (
        "WITH c AS (SELECT a, count(*) AS n FROM t GROUP BY a) SELECT * FROM c JOIN d ON c.a = d.a ORDER BY n DESC LIMIT 5",
        "WITH c AS (SELECT a, COUNT(*) AS n FROM t GROUP BY a) SELECT * FROM c JOIN d ON c.a = d.a ORDER BY n DESC LIMIT 5",
    ),
    (
        "SELECT a, row_number() OVER (PARTITION BY b ORDER BY c DESC) AS rn FROM t",
        "SELECT a, ROW_NUMBER() OVER (PARTITION BY b ORDER BY c DESC) AS rn FROM t",
    ),
    (
        "SELECT CASE WHEN a THEN 1 ELSE 0 END, a IN (1,2), a BETWEEN 1 AND 2, a LIKE '%x%' FROM t",
        "SELECT CASE WHEN a THEN 1 ELSE 0 END, a IN (1, 2), a BETWEEN 1 AND 2, a LIKE '%x%' FROM t",
    ),
    (
        "SELECT to_timestamp(s, 'yyyy/MM/dd'), to_date(s, 'yyyyMMdd'), unix_timestamp(s), from_unixtime(n) FROM t",
        "SELECT TO_TIMESTAMP(s, 'yyyy/MM/dd'), TO_DATE(s, 'yyyyMMdd'), UNIX_TIMESTAMP(s), FROM_UNIXTIME(n) FROM t",
    ),
    ("SELECT current_timestamp(), current_date()", "SELECT CURRENT_TIMESTAMP, CURRENT_DATE"),
    (
        "SELECT concat(a, b), upper(a), lower(a), trim(a), substr(a, 1, 2), instr(a, 'x') FROM t",
        "SELECT CONCAT(a, b), UPPER(a), LOWER(a), TRIM(a), SUBSTRING(a FROM 1 FOR 2), POSITION('x' IN a) FROM t",
    ),
    (
        "SELECT regexp_extract(a, 'x(\\\\d)', 1), regexp_replace(a, 'x', 'y') FROM t",
        "SELECT REGEXP_EXTRACT(a, 'x(\\d)', 1), REGEXP_REPLACE(a, 'x', 'y') FROM t",
    ),
    (
        "SELECT collect_set(a), count(DISTINCT a), sum(a), avg(a), first(a), last(a), variance(a) FROM t GROUP BY b",
        "SELECT ARRAY_AGG(DISTINCT a), COUNT(DISTINCT a), SUM(a), AVG(a), FIRST_VALUE(a), LAST_VALUE(a), VAR_SAMP(a) FROM t GROUP BY b",
    ),
    (
        "SELECT struct(a, b), array(1, 2), map('a', 1), m['k'], s.f FROM t",
        "SELECT ROW(a, b), ARRAY[1, 2], MAP['a', 1], m['k'], s.f FROM t",
    ),
    ("SELECT get_json_object(s, '$.a') FROM t", "SELECT JSON_VALUE(s, '$.a') FROM t"),
    # Flink.INDEX_OFFSET = 1: sqlglot shifts literal subscripts of 0-based Spark arrays itself.
    ("SELECT arr[0] FROM t", "SELECT arr[1] FROM t"),
    ("SELECT date_trunc('HOUR', ts) FROM t", "SELECT FLOOR(ts TO HOUR) FROM t"),
    (
        "SELECT a, y FROM t LATERAL VIEW explode(arr) x AS y",
        "SELECT a, y FROM t CROSS JOIN UNNEST(arr) AS x(y)",
    ),
    (
        "INSERT OVERWRITE TABLE t PARTITION (dt='x') SELECT a FROM s",
        "INSERT OVERWRITE t PARTITION (dt = 'x') SELECT a FROM s",
    ),
    ("INSERT INTO t SELECT a FROM s", "INSERT INTO t SELECT a FROM s"),
    (
        "SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY b ORDER BY c) = 1",
        "SELECT a FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY b ORDER BY c) = 1",
    ),
    (
        "SELECT a, b FROM t1 INNER JOIN t2 ON t1.id = t2.id CROSS JOIN t3 FULL OUTER JOIN t4 ON t1.x = t4.x",
        "SELECT a, b FROM t1 INNER JOIN t2 ON t1.id = t2.id CROSS JOIN t3 FULL OUTER JOIN t4 ON t1.x = t4.x",
    ),
    ("SELECT * FROM a UNION ALL SELECT * FROM b", "SELECT * FROM a UNION ALL SELECT * FROM b"),
    ("SELECT date '2024-01-01'", "SELECT CAST('2024-01-01' AS DATE)"),
    (
        "SELECT md5(s), sha2(s, 256), abs(x), round(x, 2), nullif(a, b) FROM t",
        "SELECT MD5(s), SHA2(s, 256), ABS(x), ROUND(x, 2), NULLIF(a, b) FROM t",
    ),
    (
        "CREATE TABLE t (a INT, b STRING) USING parquet PARTITIONED BY (b)",
        "CREATE TABLE t (a INT, b STRING) PARTITIONED BY (b) WITH ('format' = 'parquet')",
    ),
]


@pytest.mark.parametrize(("spark", "flink"), CASES)
def test_spark_to_flink(spark: str, flink: str) -> None:
    assert sqlglot.transpile(spark, read="spark", write="flink") == [flink]


@pytest.mark.parametrize(("spark", "flink"), CASES)
def test_spark_output_reparses_as_flink(spark: str, flink: str) -> None:
    # Whatever we generate from Spark is canonical Flink: it round-trips through read="flink".
    assert sqlglot.transpile(flink, read="flink", write="flink") == [flink]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT $rowtime, a FROM t",
        (
            "CREATE TABLE t (k STRING, v STRING, WATERMARK FOR $rowtime AS $rowtime - INTERVAL '5' SECOND) "
            "DISTRIBUTED BY HASH(k) INTO 4 BUCKETS WITH ('changelog.mode' = 'append', 'value.format' = 'avro-registry')"
        ),
        (
            "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR($rowtime), INTERVAL '1' MINUTE)) "
            "GROUP BY window_start, window_end"
        ),
    ],
)
def test_confluent_roundtrip(sql: str) -> None:
    assert sqlglot.transpile(sql, read="confluent", write="confluent") == [sql]


def test_confluent_rowtime_unquoted() -> None:
    assert sqlglot.transpile("SELECT `$rowtime` FROM t", read="confluent", write="confluent") == [
        "SELECT $rowtime FROM t"
    ]
    # Plain Flink has no $rowtime: a quoted one stays quoted.
    assert sqlglot.transpile("SELECT `$rowtime` FROM t", read="flink", write="flink") == [
        "SELECT `$rowtime` FROM t"
    ]
