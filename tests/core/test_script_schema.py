"""The columns of a CREATE TABLE count as schema= for the statements after it in the script."""

from __future__ import annotations

import shiftleft


def test_created_table_types_later_statements() -> None:
    script = (
        "CREATE TABLE x (ID INT, d DATE, ts TIMESTAMP) USING parquet; "
        "SELECT id FROM x WHERE d > '2020-1-2'; "
        "INSERT INTO x VALUES (1, '2020-1-5', NULL)"
    )
    result = shiftleft.transpile(script, read="spark", mode="batch")
    select, insert = result.statements[1].sql, result.statements[2].sql
    assert "SELECT ID FROM x WHERE d > CAST('2020-01-02' AS DATE)" in select  # SL3020, SL3016
    assert "CAST('2020-01-05' AS DATE)" in insert and "CAST(NULL AS TIMESTAMP_LTZ)" in insert  # SL3040


def test_user_schema_wins_over_the_script() -> None:
    script = "CREATE TABLE x (a STRING) USING parquet; SELECT A FROM x"
    result = shiftleft.transpile(script, read="spark", schema={"x": {"A": "INT"}})
    assert "SELECT A FROM x" in result.statements[1].sql
