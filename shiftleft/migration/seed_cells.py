"""A seed's CSV cell as the text Flink's ``CAST(text AS type)`` reads, at translation time.

A seed is loaded by ``INSERT ... VALUES (CAST('cell' AS type), ...)``.  The planner accepts
any string there; the cast runs when the job runs, and Flink 2.3 fails the whole job on a
cell its cast cannot read (checked on the engine): ``2016-09-01T00:00:00`` or
``2016-09-01 00:00`` as a TIMESTAMP, a DATE with a time after ``T``, ``1e3`` as an INT,
``inf`` as a DOUBLE, an INT out of range, a DECIMAL wider than its precision.  dbt reads the
same cells (agate, then the warehouse) as the values they mean.  So every cell is read here,
in Python, as its column's type: written in the one form Flink reads (``YYYY-MM-DD
HH:MM:SS[.ffffff]``, ``true`` / ``false``, a plain number), or rejected with the reason, and
the seed is reported instead of a job that would fail at run time.

Types this module does not know (ARRAY, MAP, ROW, BYTES, TIMESTAMP_LTZ ...) keep their text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_INT_RANGES = {
    "TINYINT": 2**7,
    "SMALLINT": 2**15,
    "INT": 2**31,
    "INTEGER": 2**31,
    "BIGINT": 2**63,
}
_INT = re.compile(r"[+-]?\d+(?:\.0*)?")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
)
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
_DECIMAL = re.compile(r"DECIMAL\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)|DECIMAL|NUMERIC")
_SPECIAL_FLOATS = {
    "nan": "NaN",
    "inf": "Infinity",
    "+inf": "Infinity",
    "infinity": "Infinity",
    "+infinity": "Infinity",
    "-inf": "-Infinity",
    "-infinity": "-Infinity",
}


def _integer(text: str, bound: int) -> str:
    if not _INT.fullmatch(text):
        raise ValueError("not a whole number")
    value = int(text.split(".")[0])
    if not -bound <= value < bound:
        raise ValueError("out of the type's range")
    return str(value)


def _floating(text: str) -> str:
    special = _SPECIAL_FLOATS.get(text.lower())
    if special:
        return special
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if math.isinf(value):
        raise ValueError("out of the type's range")
    return text


def _boolean(text: str) -> str:
    lowered = text.lower()
    if lowered in _TRUE:
        return "true"
    if lowered in _FALSE:
        return "false"
    raise ValueError("not a boolean (true / false)")


def _date(text: str) -> str:
    match = _TIMESTAMP.fullmatch(text)  # a time after the date is dropped, as Flink and DuckDB do
    if not match:
        raise ValueError("not a date (YYYY-MM-DD)")
    return dt.date(*(int(g) for g in match.groups()[:3])).isoformat()


def _timestamp(text: str) -> str:
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        raise ValueError("not a timestamp (YYYY-MM-DD HH:MM:SS, without a time zone)")
    year, month, day, hour, minute, second, fraction = match.groups()
    stamp = dt.datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
    )
    written = stamp.isoformat(sep=" ")
    return f"{written}.{fraction}" if fraction else written


def _decimal(text: str, kind: str) -> str:
    match = _DECIMAL.fullmatch(kind)
    precision = (
        int(match.group(1)) if match and match.group(1) else 10
    )  # Flink's DECIMAL is (10, 0)
    scale = int(match.group(2) or 0) if match and match.group(1) else 0
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a finite number")
    rounded = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)  # as Flink's cast
    whole = abs(int(rounded))
    if whole and len(str(whole)) > precision - scale:
        raise ValueError(f"too many digits for DECIMAL({precision}, {scale})")
    return text


def _reader(kind: str) -> Callable[[str], str] | None:
    base = kind.upper().split("(")[0].strip()
    if base in _INT_RANGES:
        bound = _INT_RANGES[base]
        return lambda text: _integer(text, bound)
    if base in ("DOUBLE", "FLOAT", "REAL", "DOUBLE PRECISION"):
        return _floating
    if base == "BOOLEAN":
        return _boolean
    if base == "DATE":
        return _date
    if base in ("TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE"):
        return _timestamp
    if base in ("DECIMAL", "NUMERIC", "DEC"):
        return lambda text: _decimal(text, kind.upper())
    return None


def flink_text(cell: str, kind: str) -> str:
    """``cell`` (not empty) as the text ``CAST(text AS kind)`` reads with the same meaning;
    ValueError (with the reason) when it is no value of ``kind``."""
    reader = _reader(kind)
    if reader is None:
        return cell
    return reader(cell.strip())


__all__ = ["flink_text"]
