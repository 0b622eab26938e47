"""The one exact way to read a string into a narrow DECIMAL on Flink 2.3.

Flink 2.3 parses a string into a DECIMAL of precision 18 or less with a lenient parser:
``CAST('a' AS DECIMAL(10, 2))`` is ``0.00`` and ``TRY_CAST('1a' AS DECIMAL(10, 2))`` is
``1.00``, where Spark, Snowflake and Flink's own wider DECIMALs read nothing (NULL, or an
error for a plain CAST).  Reading the string into ``DECIMAL(38, s)`` first uses Flink's exact
parser; the second cast then narrows the number (a CAST raises on a value too large for the
narrow type, a TRY_CAST gives NULL).  Every cast that may read a string into such a DECIMAL
goes through :func:`read_string_exactly`: rule SL3029, the casts a migrated model's INSERT
adds to fit its sink's declared types, and seed values.
"""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite.spark_decimal import MAX_PRECISION, Numeric, decimal_type, from_datatype

#: Flink parses a string into a DECIMAL of at most this precision loosely
COMPACT_PRECISION = 18


def loose_target(to: exp.DataType) -> Numeric | None:
    """The DECIMAL ``to`` is when Flink would parse a string into it loosely, else None."""
    found = from_datatype(to) if to.this is exp.DType.DECIMAL else None
    return found if found is not None and found.precision <= COMPACT_PRECISION else None


def read_string_exactly(cast: exp.Cast, source: exp.DataType | None) -> bool:
    """Make ``cast`` (a CAST or TRY_CAST, changed in place) read its value through
    ``DECIMAL(38, s)`` when it casts to a ``DECIMAL(p <= 18, s)`` and its value may be a string
    (``source``: the value's type, None when not known).  True when it was changed."""
    found = loose_target(cast.to)
    if found is None or (source is not None and source.this not in exp.DataType.TEXT_TYPES):
        return False
    wide = decimal_type(Numeric("decimal", MAX_PRECISION, found.scale))
    inner = (exp.TryCast if isinstance(cast, exp.TryCast) else exp.Cast)(this=cast.this, to=wide)
    if cast.args.get("safe"):
        inner.set("safe", True)
    cast.set("this", inner)
    return True
