"""Spark's ``/`` is always a fractional division; Flink's truncates on integers."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.spark_coverage import SPARK_READERS
from shiftleft.rewrite.spark_decimal import spark_numeric
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import FRACTIONAL_TYPES
from shiftleft.sqlglot_objects import data_type


def _is_fractional(node: exp.Expr, ctx: RuleContext) -> bool:
    """True when ``node`` is known to be DECIMAL / DOUBLE / FLOAT."""
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    if isinstance(node, (exp.Avg, exp.Div)):
        return True
    if ctx.read.lower() in SPARK_READERS:  # Spark's DECIMAL arithmetic, sums of decimals
        numeric = spark_numeric(node, ctx)
        if numeric is not None and numeric.is_decimal:
            return True
    return ctx.declared_as(node, FRACTIONAL_TYPES)


def _nonzero_literal(node: exp.Expr) -> bool:
    inner = node.this if isinstance(node, exp.Neg) else node
    if isinstance(inner, exp.Cast):  # a literal given Spark's DECIMAL type (SL3015)
        inner = inner.this
    if not (isinstance(inner, exp.Literal) and not inner.is_string):
        return False
    try:
        return float(inner.this) != 0
    except ValueError:
        return False


def _null_if_zero(divisor: exp.Expr) -> exp.Expr:
    """``NULLIF(divisor, 0)``; for the literal 0 its value, a NULL INT: Flink 2.3's constant
    folding fails on ``x / NULLIF(0, 0)`` inside IF / CASE ("divisionComparable is null")."""
    if isinstance(divisor, exp.Literal) and divisor.is_int and int(divisor.this) == 0:
        return exp.Cast(this=exp.Null(), to=data_type("INT"))
    return exp.Nullif(this=divisor, expression=exp.Literal.number(0))


class FractionalDivision(Rule):
    """Spark's ``a / b`` always divides fractionally: two integers give a DOUBLE (7 / 2 is 3.5),
    a DECIMAL operand gives a DECIMAL.  Flink's ``/`` on two integers truncates (7 / 2 is 3).
    The rule casts the dividend to DOUBLE unless an operand is already known to be fractional
    (a decimal literal such as 2.0, a CAST to DECIMAL/DOUBLE/FLOAT, or a column declared so in
    ``schema=``), in which case Flink's own typing matches Spark's.  Spark (without ANSI mode)
    also returns NULL for a division by zero where Flink fails or returns Infinity, so the
    divisor becomes ``NULLIF(b, 0)`` unless it is a non-zero literal.
    """

    id = "SL3002"
    name = "fractional-division"
    title = "a / b divides fractionally as in Spark (DOUBLE for integers, NULL on zero)"
    node_types = (exp.Div,)
    examples = (
        Example(before="SELECT a / b FROM t", after="SELECT CAST(a AS DOUBLE) / NULLIF(b, 0) FROM t"),
        Example(before="SELECT a / 2 FROM t", after="SELECT CAST(a AS DOUBLE) / 2 FROM t"),
        Example(
            before="SELECT if(a >= 0, 1, 1 / 0) FROM t",
            after="SELECT IF(a >= 0, 1, CAST(1 AS DOUBLE) / CAST(NULL AS INT)) FROM t",
        ),
        Example(before="SELECT a / 2.0 FROM t", after="SELECT a / 2.0 FROM t"),
        Example(
            before="SELECT CAST(a AS DECIMAL(10, 2)) / n FROM t",
            after="SELECT TRY_CAST(TRY_CAST(a AS DECIMAL(38, 2)) AS DECIMAL(10, 2)) / NULLIF(n, 0) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Div)
        left, right = node.this.copy(), node.expression.copy()
        if not (_is_fractional(node.this, ctx) or _is_fractional(node.expression, ctx)):
            left = exp.Cast(this=left, to=data_type("DOUBLE"))
        if not _nonzero_literal(node.expression):
            right = _null_if_zero(right)
        # typed=True: the operands already carry the intended types; the generator must not
        # add its own CAST to DOUBLE (Flink's division is typed).
        return exp.Div(this=left, expression=right, typed=True, safe=False)


class IntegerDivision(Rule):
    """Spark's ``a div b`` is the integral part of a / b as a BIGINT (truncated toward zero,
    NULL when b is 0).  Flink has no DIV operator; on two integers its ``/`` already truncates
    toward zero, so ``CAST(a / NULLIF(b, 0) AS BIGINT)`` gives Spark's result without the
    precision loss of a detour through DOUBLE (large BIGINT values stay exact).  For DECIMAL
    operands the CAST truncates the fractional quotient the same way.
    """

    id = "SL3003"
    name = "integer-division"
    title = "a div b becomes CAST(a / NULLIF(b, 0) AS BIGINT)"
    node_types = (exp.IntDiv,)
    examples = (
        Example(before="SELECT a div b FROM t", after="SELECT CAST(a / NULLIF(b, 0) AS BIGINT) FROM t"),
        Example(before="SELECT n div 7 FROM t", after="SELECT CAST(n / 7 AS BIGINT) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.IntDiv)
        right = node.expression.copy()
        if not _nonzero_literal(node.expression):
            right = _null_if_zero(right)
        # A plain Div built here is already Flink: the engine does not revisit rule output.
        return exp.Cast(
            this=exp.Div(this=node.this.copy(), expression=right, typed=True, safe=False),
            to=data_type("BIGINT"),
        )


#: approximate numeric types, which Flink's MOD does not take
_APPROXIMATE = frozenset({exp.DType.DOUBLE, exp.DType.FLOAT})


class FloatingModulo(Rule):
    """Spark's ``a % b`` also takes DOUBLE / FLOAT operands (Java's floating remainder);
    Flink's ``MOD`` takes exact numerics only (the planner refuses ``MOD(<DOUBLE>, <INTEGER>)``),
    and rebuilding the remainder as ``a - b * TRUNCATE(a / b)`` is not exact in floating point.
    The call is reported, so that the author chooses: cast the operands to DECIMAL (exact), or
    to BIGINT when they hold whole numbers.
    """

    id = "SL3019"
    name = "floating-modulo"
    title = "a % b on DOUBLE / FLOAT operands has no exact Flink form"
    node_types = (exp.Mod,)
    examples = (
        Example(
            before="SELECT CAST(x AS DOUBLE) % 2 FROM t",
            after="SELECT MOD(TRY_CAST(x AS DOUBLE), 2) FROM t",
            diagnoses=True,
        ),
        Example(before="SELECT n % 2 FROM t", after="SELECT MOD(n, 2) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Mod)
        if not any(ctx.declared_as(side, _APPROXIMATE) for side in (node.this, node.expression)):
            return None
        ctx.report(
            node,
            "Flink's MOD takes exact numbers only; this remainder has a DOUBLE / FLOAT operand",
            severity=Severity.ERROR,
            suggestion="cast the operands to DECIMAL (or BIGINT for whole numbers) in the model",
        )
        return None
