"""Compare a table's rows from two engines: the streaming run's final state (JSON lines) and the
table dbt built on DuckDB.

Values are compared after a normalization both engines agree on: numbers as decimals rounded
to 2 places (a DECIMAL(18, 2) in Flink, a DOUBLE in DuckDB; whole numbers without decimals), timestamps as
``YYYY-MM-DD HH:MM:SS[.fff]`` (trailing zeros of the fraction and a UTC ``Z`` dropped), dates
as ISO, column names case-insensitively.  Rows are compared as multisets over the columns
both sides have; a sample of the rows only one side has is kept, paired by key when the table
has a primary key (then each pair says which columns differ).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field

_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$")
_CENT = Decimal("0.01")
SAMPLE = 5


def normalize(value: Any) -> Any:
    """A value both engines write the same way (see the module docstring)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        try:
            number = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:  # inf, nan
            return str(value)
        number += 0  # -0.00 -> 0.00
        return str(number.to_integral_value()) if number == number.to_integral_value() else str(number)
    if isinstance(value, dt.datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        match = _TIMESTAMP.match(value)
        if match:
            fraction = (match.group(3) or "").rstrip("0")
            return f"{match.group(1)} {match.group(2)}" + (f".{fraction}" if fraction else "")
        return value
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


class RowDiff(BaseModel):
    """One row that only one side has, or (by key) a row both have with other values."""

    key: dict[str, Any] | None = None
    streaming: dict[str, Any] | None = None
    """The row in the streaming run's final state (None: missing there)."""
    dbt: dict[str, Any] | None = None
    """The row in dbt's table (None: missing there)."""
    columns: list[str] = Field(default_factory=list)
    """With a key: the columns whose values differ."""

    def format(self) -> str:
        if self.key is not None and self.streaming is not None and self.dbt is not None:
            parts = ", ".join(f"{c} streaming={self.streaming[c]} dbt={self.dbt[c]}" for c in self.columns)
            return f"key {_kv(self.key)}: {parts}"
        if self.streaming is None:
            return f"only in dbt: {_kv(self.dbt or {})}"
        return f"only in the streaming run: {_kv(self.streaming)}"


def _kv(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in row.items())


class RowComparison(BaseModel):
    columns: list[str]
    streaming_rows: int
    dbt_rows: int
    only_streaming: int = 0
    only_dbt: int = 0
    sample: list[RowDiff] = Field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.only_streaming == 0 and self.only_dbt == 0


def compare_rows(
    columns: Sequence[str],
    streaming: Iterable[dict[str, Any]],
    dbt: Iterable[dict[str, Any]],
    key: Sequence[str] | None = None,
) -> RowComparison:
    """Compare two row sets over ``columns`` (lower-case names; rows keyed the same way)."""
    cols = list(columns)

    def as_tuple(row: dict[str, Any]) -> tuple:
        return tuple(normalize(row.get(c)) for c in cols)

    left = Counter(as_tuple(r) for r in streaming)
    right = Counter(as_tuple(r) for r in dbt)
    only_left, only_right = left - right, right - left
    result = RowComparison(
        columns=cols,
        streaming_rows=sum(left.values()),
        dbt_rows=sum(right.values()),
        only_streaming=sum(only_left.values()),
        only_dbt=sum(only_right.values()),
    )
    result.sample = _sample(cols, sorted(only_left, key=_order), sorted(only_right, key=_order), key)
    return result


def _order(row: tuple) -> tuple:
    return tuple((v is None, str(v)) for v in row)


def _sample(cols: list[str], left: list[tuple], right: list[tuple], key: Sequence[str] | None) -> list[RowDiff]:
    as_dict = lambda row: dict(zip(cols, row))
    diffs: list[RowDiff] = []
    if key and all(k in cols for k in key):
        index = [cols.index(k) for k in key]
        by_key = {tuple(r[i] for i in index): r for r in right}
        for row in left:
            k = tuple(row[i] for i in index)
            other = by_key.pop(k, None)
            if other is None:
                diffs.append(RowDiff(streaming=as_dict(row)))
                continue
            changed = [c for c, a, b in zip(cols, row, other) if a != b]
            diffs.append(
                RowDiff(key=dict(zip(key, k)), streaming=as_dict(row), dbt=as_dict(other), columns=changed)
            )
        diffs += [RowDiff(dbt=as_dict(r)) for r in by_key.values()]
    else:
        diffs = [RowDiff(streaming=as_dict(r)) for r in left] + [RowDiff(dbt=as_dict(r)) for r in right]
    return diffs[:SAMPLE]


__all__ = ["RowComparison", "RowDiff", "compare_rows", "normalize"]
