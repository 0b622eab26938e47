"""Result types of Flink built-ins in sqlglot's type annotation (the sink DDL's column types)."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

SCHEMA = {"t": {"tags": "ARRAY<STRING>", "s": "STRING", "ts": "TIMESTAMP(3)", "x": "DOUBLE"}}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("CARDINALITY(tags)", "INT"),
        ("COALESCE(CARDINALITY(tags), -1)", "INT"),
        ("JSON_VALUE(s, '$.a')", "STRING"),
        ("UNIX_TIMESTAMP(s)", "BIGINT"),
        ("TO_TIMESTAMP(s)", "TIMESTAMP(3)"),
        ("REGEXP(s, 'a+')", "BOOLEAN"),
        ("REGEXP_EXTRACT(s, 'a(b)', 1)", "STRING"),
        ("LPAD(s, 3, '0')", "STRING"),
        ("SPLIT(s, ',')", "ARRAY<STRING>"),
        ("FLOOR(ts TO DAY)", "TIMESTAMP(3)"),  # not a number: the time unit floor of ts
        ("CEIL(ts TO HOUR)", "TIMESTAMP(3)"),
        ("FLOOR(x)", "DOUBLE"),
        ("TIMESTAMPADD(DAY, 30, CAST(s AS DATE))", "DATE"),  # Spark date_add: still a DATE
        ("TIMESTAMPADD(HOUR, 1, ts)", "TIMESTAMP(3)"),
    ],
)
def test_flink_function_result_types(expression: str, expected: str) -> None:
    tree = qualify(
        sqlglot.parse_one(f"SELECT {expression} AS c FROM t", read="flink"),
        schema=SCHEMA,
        dialect="flink",
    )
    annotate_types(tree, schema=SCHEMA, dialect="flink")
    assert tree.selects[0].type.sql("flink") == expected


def test_unknown_function_stays_unknown() -> None:
    tree = qualify(
        sqlglot.parse_one("SELECT my_udf(s) AS c FROM t", read="flink"),
        schema=SCHEMA,
        dialect="flink",
    )
    annotate_types(tree, schema=SCHEMA, dialect="flink")
    assert tree.selects[0].type.is_type(sqlglot.exp.DType.UNKNOWN)
