"""The row reconciliation's public names, at their historical import path.

They live in :mod:`shiftleft.verification.diff` (normalization and the row-level diff) and
:mod:`shiftleft.verification.duckdb_side` (the DuckDB side).
"""

from __future__ import annotations

from shiftleft.verification.diff import (
    DEFAULT_REL_TOL,
    MAX_REPORTED_ROWS,
    DiffRow,
    MismatchedRow,
    ResultSet,
    RowDiff,
    default_key_columns,
    diff_results,
    normalize_row,
    normalize_value,
    top_level_order,
    values_equal,
)
from shiftleft.verification.duckdb_side import DuckDBSide, duckdb_type_to_flink, to_duckdb_type

__all__ = [
    "DEFAULT_REL_TOL",
    "MAX_REPORTED_ROWS",
    "DiffRow",
    "DuckDBSide",
    "MismatchedRow",
    "ResultSet",
    "RowDiff",
    "default_key_columns",
    "diff_results",
    "duckdb_type_to_flink",
    "normalize_row",
    "normalize_value",
    "to_duckdb_type",
    "top_level_order",
    "values_equal",
]
