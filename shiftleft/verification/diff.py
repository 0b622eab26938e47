"""Reconcile query results like a data-reconciliation tool: type normalization and the
row-level diff (the DuckDB side is :mod:`shiftleft.verification.duckdb_side`).

* :func:`normalize_value` makes DuckDB's and Flink's Python values comparable: decimals and
  floats become floats (compared with a relative tolerance), timestamps with a zone become
  naive UTC, Flink ``Row`` values and lists become tuples, NULLs stay ``None`` (and are equal
  to each other).
* :func:`diff_results` compares the expected (DuckDB) and actual (Flink) rows as multisets
  (or, when the source query has a top-level ``ORDER BY``, also checks the order of the
  sort keys) and reports **missing** rows (expected, not produced), **extra** rows (produced,
  not expected) and **mismatched** rows (same key, different values), each with its key.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_REL_TOL = 1e-6
MAX_REPORTED_ROWS = 20
"""How many missing / extra / mismatched rows a diff lists (the counts are always complete)."""


# --------------------------------------------------------------------------------------------
# Results and their normalization
# --------------------------------------------------------------------------------------------


class ResultSet(BaseModel):
    """Rows of one query, with column names (either engine)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def normalize_value(value: Any) -> Any:
    """A comparable Python value: see the module docstring for the rules."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return tuple(sorted((str(k), normalize_value(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(normalize_value(v) for v in value)
    try:  # pyflink Row, numpy scalars, ...
        return tuple(normalize_value(v) for v in value)
    except TypeError:
        return str(value)


def normalize_row(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(normalize_value(v) for v in row)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bucket(value: Any, digits: int) -> Any:
    """A hashable approximation for exact-ish matching (numbers to ``digits`` significant)."""
    if _is_number(value):
        return float(f"{float(value):.{digits}g}")
    if isinstance(value, tuple):
        return tuple(_bucket(v, digits) for v in value)
    return value


def values_equal(
    a: Any, b: Any, rel_tol: float = DEFAULT_REL_TOL, abs_tol: float = 1e-9
) -> bool:
    """Equality of two normalized values: numbers with a relative tolerance (or ``abs_tol``,
    e.g. one unit of a decimal's last digit), NULL = NULL."""
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) and _is_number(b):
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(values_equal(x, y, rel_tol) for x, y in zip(a, b))
    return bool(a == b)


def _display(value: Any) -> Any:
    """A JSON-friendly rendering of a normalized value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return [_display(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --------------------------------------------------------------------------------------------
# The diff
# --------------------------------------------------------------------------------------------


class DiffRow(BaseModel):
    """A row only one side has."""

    key: dict[str, Any]
    row: dict[str, Any]


class MismatchedRow(BaseModel):
    """A row both sides have (same key) with different values."""

    key: dict[str, Any]
    columns: list[str] = Field(description="the columns whose values differ")
    expected: dict[str, Any]
    actual: dict[str, Any]


class RowDiff(BaseModel):
    """Row-level comparison of the expected (source on DuckDB) and actual (Flink) rows."""

    key_columns: list[str]
    expected_rows: int
    actual_rows: int
    matched_rows: int
    missing_count: int = 0
    extra_count: int = 0
    mismatched_count: int = 0
    missing: list[DiffRow] = Field(default_factory=list, description="expected, not produced")
    extra: list[DiffRow] = Field(default_factory=list, description="produced, not expected")
    mismatched: list[MismatchedRow] = Field(default_factory=list)
    column_count_mismatch: str | None = None
    order_mismatch: str | None = Field(
        default=None, description="set when ORDER BY applies and the rows come in another order"
    )
    ordered: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.missing_count
            or self.extra_count
            or self.mismatched_count
            or self.column_count_mismatch
            or self.order_mismatch
        )

    def summary(self) -> str:
        if self.ok:
            return f"{self.matched_rows} rows equal"
        parts = []
        if self.column_count_mismatch:
            parts.append(self.column_count_mismatch)
        if self.missing_count:
            parts.append(f"{self.missing_count} missing")
        if self.extra_count:
            parts.append(f"{self.extra_count} extra")
        if self.mismatched_count:
            cols = sorted({c for m in self.mismatched for c in m.columns})
            parts.append(f"{self.mismatched_count} mismatched (columns: {', '.join(cols)})")
        if self.order_mismatch:
            parts.append(self.order_mismatch)
        return (
            f"{'; '.join(parts)} (expected {self.expected_rows} rows, got {self.actual_rows}, "
            f"{self.matched_rows} equal)"
        )


def default_key_columns(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Key columns when none are given: the non-numeric columns (strings, dates, booleans)
    of the expected rows, else the first column."""
    keys: list[int] = []
    for k in range(len(columns)):
        sample = [r[k] for r in rows if r[k] is not None]
        if sample and all(not _is_number(v) for v in sample):
            keys.append(k)
    return keys or [0] if columns else []


def _resolve_keys(keys: Sequence[str | int] | None, columns: Sequence[str], rows: Any) -> list[int]:
    if not keys:
        return default_key_columns(columns, rows)
    lowered = [c.lower() for c in columns]
    out: list[int] = []
    for key in keys:
        if isinstance(key, int):
            if not 0 <= key < len(columns):
                raise ConfigError(f"key column index {key} is out of range")
            out.append(key)
        elif key.lower() in lowered:
            out.append(lowered.index(key.lower()))
        else:
            raise ConfigError(f"key column {key!r} is not a result column ({', '.join(columns)})")
    return out


def diff_results(
    expected: ResultSet,
    actual: ResultSet,
    *,
    ordered: bool = False,
    order_columns: Sequence[int] | None = None,
    keys: Sequence[str | int] | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
) -> RowDiff:
    """Compare ``expected`` and ``actual`` rows; columns are matched by position.

    ``ordered``: the order matters (top-level ORDER BY); ``order_columns`` are the positions
    of the sort keys (ties may come in any order); without them whole rows are compared in
    order.  ``keys`` name (or index) the columns that identify a row for pairing mismatched
    rows (default: :func:`default_key_columns`).
    """
    exp_rows = [normalize_row(r) for r in expected.rows]
    act_rows = [normalize_row(r) for r in actual.rows]
    abs_tols = _decimal_tolerances([*expected.rows, *actual.rows])
    columns = list(expected.columns)
    key_idx = _resolve_keys(keys, columns, exp_rows) if columns else []
    diff = RowDiff(
        key_columns=[columns[k] for k in key_idx],
        expected_rows=len(exp_rows),
        actual_rows=len(act_rows),
        matched_rows=0,
        ordered=ordered,
    )
    if len(expected.columns) != len(actual.columns):
        diff.column_count_mismatch = (
            f"expected {len(expected.columns)} columns ({', '.join(expected.columns)}), got "
            f"{len(actual.columns)} ({', '.join(actual.columns)})"
        )
        return diff

    digits = max(1, min(15, round(-math.log10(rel_tol)) if rel_tol > 0 else 15))
    # 1. exact-ish multiset matching on bucketed values
    pool: dict[Any, list[int]] = defaultdict(list)
    for i, row in enumerate(act_rows):
        pool[_bucket(row, digits)].append(i)
    unmatched_exp: list[int] = []
    matched_act: set[int] = set()
    for i, row in enumerate(exp_rows):
        bucket = pool.get(_bucket(row, digits))
        if bucket:
            matched_act.add(bucket.pop())
        else:
            unmatched_exp.append(i)
    unmatched_act = [i for i in range(len(act_rows)) if i not in matched_act]
    matched = len(exp_rows) - len(unmatched_exp)

    # 2. pair the rest by key; equal within tolerance counts as matched
    def key_of(row: tuple[Any, ...]) -> Any:
        return tuple(_bucket(row[k], digits) for k in key_idx)

    by_key: dict[Any, list[int]] = defaultdict(list)
    for i in unmatched_act:
        by_key[key_of(act_rows[i])].append(i)
    missing: list[int] = []
    mismatched: list[tuple[int, int, list[str]]] = []
    for i in unmatched_exp:
        candidates = by_key.get(key_of(exp_rows[i]))
        if not candidates:
            missing.append(i)
            continue
        # prefer a candidate equal within tolerance, else the one with fewest differences
        best, best_cols = None, None
        for j in candidates:
            cols = [
                columns[c]
                for c in range(len(columns))
                if not values_equal(exp_rows[i][c], act_rows[j][c], rel_tol, abs_tols.get(c, 1e-9))
            ]
            if best_cols is None or len(cols) < len(best_cols):
                best, best_cols = j, cols
            if not cols:
                break
        assert best is not None and best_cols is not None
        candidates.remove(best)
        if best_cols:
            mismatched.append((i, best, best_cols))
        else:
            matched += 1
    extra = [i for ids in by_key.values() for i in ids]
    extra.sort()
    # 3. leftovers (e.g. a numeric key off by a rounding digit): equal within tolerance?
    if missing and extra and len(missing) * len(extra) <= 1_000_000:
        still_missing = []
        for i in missing:
            hit = next(
                (
                    j
                    for j in extra
                    if all(
                        values_equal(exp_rows[i][c], act_rows[j][c], rel_tol, abs_tols.get(c, 1e-9))
                        for c in range(len(columns))
                    )
                ),
                None,
            )
            if hit is None:
                still_missing.append(i)
            else:
                extra.remove(hit)
                matched += 1
        missing = still_missing

    def as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
        return {c: _display(v) for c, v in zip(_unique(columns), row)}

    def key_dict(row: tuple[Any, ...]) -> dict[str, Any]:
        names = _unique(columns)
        return {names[k]: _display(row[k]) for k in key_idx}

    diff.matched_rows = matched
    diff.missing_count, diff.extra_count, diff.mismatched_count = (
        len(missing),
        len(extra),
        len(mismatched),
    )
    diff.missing = [
        DiffRow(key=key_dict(exp_rows[i]), row=as_dict(exp_rows[i]))
        for i in missing[:MAX_REPORTED_ROWS]
    ]
    diff.extra = [
        DiffRow(key=key_dict(act_rows[i]), row=as_dict(act_rows[i]))
        for i in extra[:MAX_REPORTED_ROWS]
    ]
    diff.mismatched = [
        MismatchedRow(
            key=key_dict(exp_rows[i]),
            columns=cols,
            expected=as_dict(exp_rows[i]),
            actual=as_dict(act_rows[j]),
        )
        for i, j, cols in mismatched[:MAX_REPORTED_ROWS]
    ]
    if ordered and not (missing or extra or mismatched):
        diff.order_mismatch = _order_difference(exp_rows, act_rows, order_columns, rel_tol)
    return diff


def _decimal_tolerances(rows: Sequence[Sequence[Any]]) -> dict[int, float]:
    """Per column holding decimals: one unit of the smallest scale seen on either side, so
    that ``0.0500813...`` (DuckDB double) equals ``0.050081`` (Flink DECIMAL(38, 6))."""
    scales: dict[int, int] = {}
    for row in rows:
        for k, value in enumerate(row):
            if isinstance(value, decimal.Decimal) and value.is_finite():
                exponent = value.as_tuple().exponent
                scale = -exponent if isinstance(exponent, int) else 0
                scales[k] = min(scales.get(k, scale), scale)
    return {k: max(1e-9, 0.5 * 10.0**-s * (1 + 1e-9)) for k, s in scales.items()}


def _unique(columns: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        n = seen.get(c, 0)
        seen[c] = n + 1
        out.append(c if n == 0 else f"{c}_{n + 1}")
    return out


def _order_difference(
    exp_rows: Sequence[tuple[Any, ...]],
    act_rows: Sequence[tuple[Any, ...]],
    order_columns: Sequence[int] | None,
    rel_tol: float,
) -> str | None:
    for pos, (e, a) in enumerate(zip(exp_rows, act_rows), start=1):
        idx = order_columns if order_columns else range(len(e))
        if not all(values_equal(e[k], a[k], rel_tol) for k in idx):
            return f"rows come in a different order (first at row {pos})"
    return None


# --------------------------------------------------------------------------------------------
# ORDER BY analysis of the source query
# --------------------------------------------------------------------------------------------


def top_level_order(sql: str, dialect: str) -> tuple[bool, list[int] | None]:
    """Whether the query has a top-level ORDER BY, and the output positions of its sort keys
    (None when a sort key is not an output column)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return False, None
    if isinstance(tree, exp.Insert):
        tree = tree.expression
    order = tree.args.get("order") if isinstance(tree, exp.Query) else None
    if not order:
        return False, None
    select = tree if isinstance(tree, exp.Select) else None
    if select is None:
        return True, None
    outputs = select.expressions
    names = [e.alias_or_name.lower() for e in outputs]
    positions: list[int] = []
    for ordered_expr in order.expressions:
        key = ordered_expr.this
        if isinstance(key, exp.Literal) and key.is_int:
            positions.append(int(key.name) - 1)
            continue
        if isinstance(key, exp.Column) and key.name.lower() in names:
            positions.append(names.index(key.name.lower()))
            continue
        text = key.sql(dialect=dialect).lower()
        match = [k for k, e in enumerate(outputs) if e.unalias().sql(dialect=dialect).lower() == text]
        if not match:
            return True, None
        positions.append(match[0])
    return True, positions
