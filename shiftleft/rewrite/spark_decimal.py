"""Spark's DECIMAL typing of arithmetic, for the rules that make Flink compute the same values.

Spark and Flink 2.3 share the result-type formulas of ``+ - * / %`` on ``DECIMAL(p, s)``
(measured on both engines, capped at precision 38 the same way, keeping at least 6 fraction
digits).  They differ in the decimal type an *integer* operand is widened to:

* an integer literal is ``DECIMAL(<its digits>, 0)`` in Spark (``3`` is ``DECIMAL(1, 0)``) and
  ``DECIMAL(10, 0)`` (an INT) in Flink, so ``dec / 3`` has 6 fraction digits in Spark and 13 in
  Flink;
* a BIGINT is ``DECIMAL(20, 0)`` in Spark and ``DECIMAL(19, 0)`` in Flink.

:func:`spark_numeric` gives the Spark type of an expression where it is known without full
type inference (CASTs, literals, schema columns, and arithmetic over those).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlglot import exp

from shiftleft.rewrite.context import RuleContext
from shiftleft.sqlglot_objects import data_type

MAX_PRECISION = 38
MIN_ADJUSTED_SCALE = 6
#: Spark's decimal type of each integer type when it meets a DECIMAL
INTEGER_DECIMALS: dict[exp.DType, int] = {
    exp.DType.TINYINT: 3,
    exp.DType.SMALLINT: 5,
    exp.DType.INT: 10,
    exp.DType.BIGINT: 20,
}
ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)


class Numeric(NamedTuple):
    """A Spark numeric type: ``kind`` is ``decimal``, an integer type name, or ``literal`` (an
    integer literal: a DECIMAL of its own digits when it meets a decimal)."""

    kind: str
    precision: int
    scale: int = 0

    @property
    def is_decimal(self) -> bool:
        return self.kind == "decimal"


def _adjust(precision: int, scale: int) -> tuple[int, int]:
    """Spark's (and Flink's) bounding of a result type to precision 38."""
    if precision <= MAX_PRECISION:
        return precision, scale
    int_digits = precision - scale
    min_scale = min(scale, MIN_ADJUSTED_SCALE)
    return MAX_PRECISION, max(MAX_PRECISION - int_digits, min_scale)


def result_type(op: type[exp.Expr], p1: int, s1: int, p2: int, s2: int) -> tuple[int, int]:
    """Spark's result type of ``DECIMAL(p1, s1) <op> DECIMAL(p2, s2)``."""
    if op in (exp.Add, exp.Sub):
        scale = max(s1, s2)
        return _adjust(max(p1 - s1, p2 - s2) + scale + 1, scale)
    if op is exp.Mul:
        return _adjust(p1 + p2 + 1, s1 + s2)
    if op is exp.Div:
        scale = max(MIN_ADJUSTED_SCALE, s1 + p2 + 1)
        return _adjust(p1 - s1 + s2 + scale, scale)
    scale = max(s1, s2)  # Mod
    return _adjust(min(p1 - s1, p2 - s2) + scale, scale)


def from_datatype(dtype: exp.DataType) -> Numeric | None:
    """The numeric type ``dtype`` is (a DECIMAL's precision and scale, Flink's defaults 10, 0;
    an integer type's), or None."""
    if dtype.this in (exp.DType.DECIMAL, exp.DType.BIGDECIMAL):
        params = [e.this for e in dtype.expressions if isinstance(e, exp.DataTypeParam)]
        try:
            precision = int(params[0].name) if params else 10
            scale = int(params[1].name) if len(params) > 1 else 0
        except (ValueError, AttributeError):
            return None
        return Numeric("decimal", precision, scale)
    if dtype.this in INTEGER_DECIMALS:
        return Numeric(dtype.this.value.lower(), INTEGER_DECIMALS[dtype.this])
    return None


def _literal(node: exp.Literal) -> Numeric | None:
    if node.is_string:
        return None
    text = node.this.lstrip("+-")
    if "e" in text.lower():
        return None  # a DOUBLE in Spark
    if "." in text:
        whole, frac = text.split(".", 1)
        digits = (whole.lstrip("0") + frac) or "0"
        return Numeric("decimal", max(len(digits.lstrip("0")) or 1, len(frac)), len(frac))
    value = int(text or "0")
    if value > 2**63 - 1:
        return None
    return Numeric("literal", len(str(value)))


def decimal_type(numeric: Numeric) -> exp.DataType:
    return data_type(f"DECIMAL({numeric.precision}, {numeric.scale})")


def spark_numeric(node: exp.Expr, ctx: RuleContext) -> Numeric | None:
    """The Spark numeric type of ``node`` when it is a DECIMAL or an integer and is known."""
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    if isinstance(node, exp.Literal):
        return _literal(node)
    if isinstance(node, exp.Nullif):
        return spark_numeric(node.this, ctx)
    if isinstance(node, ARITHMETIC):
        left, right = spark_numeric(node.this, ctx), spark_numeric(node.expression, ctx)
        if left is None or right is None:
            return None
        if not (left.is_decimal or right.is_decimal):
            if isinstance(node, exp.Div):
                return None  # a DOUBLE in Spark
            wider = max(left, right, key=lambda n: n.precision)
            return Numeric(wider.kind if wider.kind != "literal" else "int", wider.precision)
        precision, scale = result_type(type(node), left.precision, left.scale, right.precision, right.scale)
        return Numeric("decimal", precision, scale)
    if isinstance(node, (exp.Sum, exp.Avg, exp.Min, exp.Max)):
        return _aggregate(node, ctx)
    declared = ctx.declared_type(node)
    return None if declared is None else from_datatype(declared)


def sum_type(arg: Numeric) -> Numeric:
    """Spark's type of ``sum`` over ``arg``: DECIMAL(p + 10, s), BIGINT for integers."""
    if arg.is_decimal:
        return Numeric("decimal", min(MAX_PRECISION, arg.precision + 10), arg.scale)
    return Numeric("bigint", INTEGER_DECIMALS[exp.DType.BIGINT])


def avg_type(arg: Numeric) -> Numeric | None:
    """Spark's type of ``avg`` over a DECIMAL: DECIMAL(p + 4, s + 4); None (DOUBLE) otherwise."""
    if not arg.is_decimal:
        return None
    return Numeric("decimal", min(MAX_PRECISION, arg.precision + 4), min(MAX_PRECISION, arg.scale + 4))


def aggregate_argument(node: exp.Expr) -> exp.Expr | None:
    """The argument of a one-argument aggregate (inside DISTINCT too)."""
    arg = node.this
    if isinstance(arg, exp.Distinct):
        arg = arg.expressions[0] if len(arg.expressions) == 1 else None
    return arg


def _aggregate(node: exp.Expr, ctx: RuleContext) -> Numeric | None:
    arg = aggregate_argument(node)
    numeric = None if arg is None else spark_numeric(arg, ctx)
    if numeric is None:
        return None
    if isinstance(node, exp.Sum):
        return sum_type(numeric)
    if isinstance(node, exp.Avg):
        return avg_type(numeric)
    return numeric if numeric.kind != "literal" else Numeric("int", 10)


def spark_operand_cast(node: exp.Expr, numeric: Numeric) -> exp.Expr | None:
    """``node`` (an integer operand meeting a DECIMAL) cast to the DECIMAL Spark widens it
    to, when Flink would widen it differently; None when Flink's widening is the same."""
    if numeric.kind == "literal":
        precision = numeric.precision
    elif numeric.kind == "bigint":
        precision = INTEGER_DECIMALS[exp.DType.BIGINT]
    else:
        return None
    return exp.Cast(this=node.copy(), to=data_type(f"DECIMAL({precision}, 0)"))
