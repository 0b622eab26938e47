"""Row diff and normalization (shiftleft.reconcile); DuckDB side.  No JVM."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shiftleft.errors import ConfigError
from shiftleft.reconcile import (
    DuckDBSide,
    ResultSet,
    diff_results,
    duckdb_type_to_flink,
    normalize_value,
    top_level_order,
)


def rs(columns: str, *rows: tuple) -> ResultSet:
    return ResultSet(columns=columns.split(","), rows=list(rows))


def test_normalization() -> None:
    assert normalize_value(Decimal("1.50")) == 1.5
    utc = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert normalize_value(utc) == dt.datetime(2024, 1, 1, 10)
    assert normalize_value([1, Decimal(2)]) == (1, 2.0)
    assert normalize_value(float("nan")) == "NaN"
    assert normalize_value(None) is None


def test_equal_as_multisets_with_tolerance_and_nulls() -> None:
    expected = rs("k,v", ("a", 1.0000001), ("b", None), ("a", 2.0))
    actual = rs("k,v", ("a", Decimal("2.00")), ("b", None), ("a", 1.0))
    diff = diff_results(expected, actual)
    assert diff.ok and diff.matched_rows == 3


def test_decimal_scale_rounding_is_tolerated() -> None:
    diff = diff_results(rs("x", (0.05008133906964238,)), rs("x", (Decimal("0.050081"),)))
    assert diff.ok
    diff = diff_results(rs("x", (0.0502,)), rs("x", (Decimal("0.050081"),)))
    assert not diff.ok


def test_missing_extra_and_mismatched_rows_with_keys() -> None:
    expected = rs("id,name,amount", (1, "x", 10), (2, "y", 20), (3, "z", 30))
    actual = rs("id,name,amount", (1, "x", 10), (2, "y", 21), (4, "w", 40))
    diff = diff_results(expected, actual, keys=["id"])
    assert (diff.missing_count, diff.extra_count, diff.mismatched_count) == (1, 1, 1)
    assert diff.missing[0].key == {"id": 3}
    assert diff.extra[0].key == {"id": 4}
    (m,) = diff.mismatched
    assert m.key == {"id": 2} and m.columns == ["amount"]
    assert (m.expected["amount"], m.actual["amount"]) == (20, 21)
    assert "1 missing" in diff.summary()


def test_default_keys_are_the_non_numeric_columns() -> None:
    diff = diff_results(rs("k,d,v", ("a", dt.date(2024, 1, 1), 1)), rs("k,d,v", ("a", dt.date(2024, 1, 1), 2)))
    assert diff.key_columns == ["k", "d"]
    assert diff.mismatched_count == 1


def test_ordered_compare_uses_sort_keys_and_allows_ties() -> None:
    expected = rs("k,v", ("a", 1), ("b", 1), ("c", 2))
    tie_swapped = rs("k,v", ("b", 1), ("a", 1), ("c", 2))
    assert diff_results(expected, tie_swapped, ordered=True, order_columns=[1]).ok
    wrong = rs("k,v", ("c", 2), ("a", 1), ("b", 1))
    diff = diff_results(expected, wrong, ordered=True, order_columns=[1])
    assert diff.order_mismatch and not diff.ok
    assert not diff_results(expected, tie_swapped, ordered=True).ok


def test_column_count_mismatch() -> None:
    diff = diff_results(rs("a,b", (1, 2)), rs("a", (1,)))
    assert diff.column_count_mismatch and not diff.ok


def test_top_level_order() -> None:
    assert top_level_order("SELECT a, b AS x FROM t ORDER BY x DESC, 1", "spark") == (True, [1, 0])
    assert top_level_order("SELECT a FROM t", "spark") == (False, None)
    assert top_level_order("SELECT a FROM t ORDER BY b", "spark") == (True, None)


def test_duckdb_types_map_to_flink() -> None:
    assert duckdb_type_to_flink("DECIMAL(15,2)") == "DECIMAL(15, 2)"
    assert duckdb_type_to_flink("VARCHAR[]") == "ARRAY<STRING>"
    assert duckdb_type_to_flink("MAP(VARCHAR, INTEGER)") == "MAP<STRING, INT>"
    with pytest.raises(ConfigError):
        duckdb_type_to_flink("UNION(a INTEGER)")


def test_duckdb_side_loads_rows_files_and_generates(tmp_path) -> None:
    side = DuckDBSide()
    side.load_rows("t", [{"id": 1, "tags": ["a"]}], {"id": "INT", "tags": "ARRAY<STRING>"}, dialect="spark")
    assert side.flink_columns("t") == [("id", "INT"), ("tags", "ARRAY<STRING>")]
    (tmp_path / "s.csv").write_text("a,b\n1,x\n2,\n")
    side.load_file("s", tmp_path / "s.csv")
    assert side.query("SELECT count(*) AS n FROM s").rows == [(2,)]
    side.generate({"g": {"id": "INT", "name": "STRING", "d": "DATE"}}, rows=10)
    first = side.query("SELECT * FROM g ORDER BY id").rows
    side.generate({"g": {"id": "INT", "name": "STRING", "d": "DATE"}}, rows=10)
    assert side.query("SELECT * FROM g ORDER BY id").rows == first  # deterministic
    assert [r[0] for r in first] == list(range(1, 11))
    # Spark SQL is translated to DuckDB
    assert side.query("SELECT datediff(DATE'2024-01-05', DATE'2024-01-01') AS d", read="spark").rows == [(4,)]
    out = side.export_json("s", tmp_path / "out" / "s.json")
    assert out.read_text().splitlines()[0] == '{"a":1,"b":"x"}'
