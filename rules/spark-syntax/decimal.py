"""DECIMAL arithmetic with Spark's result types (integer operands widened as Spark does)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.spark_coverage import SPARK_READERS
from shiftleft.rewrite.spark_decimal import ARITHMETIC, spark_numeric, spark_operand_cast
from shiftleft.rewrite import Example, Rule, RuleContext


class DecimalOperandTypes(Rule):
    """Spark and Flink type ``DECIMAL(p1, s1) op DECIMAL(p2, s2)`` with the same formulas (the
    result of ``/`` keeps ``max(6, s1 + p2 + 1)`` fraction digits, ``*`` adds the scales,
    both capped at precision 38 keeping at least 6 fraction digits), but they widen an
    integer operand differently: Spark types an integer literal as a DECIMAL of its own
    digits (``3`` is ``DECIMAL(1, 0)``) and a BIGINT as ``DECIMAL(20, 0)``; Flink types them as
    ``DECIMAL(10, 0)`` and ``DECIMAL(19, 0)``.  So ``amount / 3`` on a ``DECIMAL(10, 2)`` is
    0.666667 in Spark and 0.6666666666667 in Flink.  The rule casts such an operand to the
    DECIMAL Spark uses, so Flink's result type and value are Spark's.  It fires when the
    other operand is known to be a DECIMAL (a CAST, a decimal literal, a schema column, or
    arithmetic over those).  Measured on both engines by the decimal differential test.
    """

    id = "SL3015"
    name = "decimal-operand-types"
    title = "integer operands of DECIMAL arithmetic get Spark's DECIMAL type"
    node_types = ARITHMETIC
    examples = (
        Example(
            before="SELECT amount / 3 FROM t",
            after="SELECT amount / CAST(3 AS DECIMAL(1, 0)) FROM t",
            types={"t": {"amount": "DECIMAL(10, 2)"}},
        ),
        Example(
            before="SELECT amount * n FROM t",
            after="SELECT amount * CAST(n AS DECIMAL(20, 0)) FROM t",
            types={"t": {"amount": "DECIMAL(10, 2)", "n": "BIGINT"}},
        ),
        Example(
            before="SELECT 100 * amount + 1 FROM t",
            after="SELECT CAST(100 AS DECIMAL(3, 0)) * amount + CAST(1 AS DECIMAL(1, 0)) FROM t",
            types={"t": {"amount": "DECIMAL(10, 2)"}},
        ),
        Example(
            before="SELECT amount / i FROM t",
            after="SELECT amount / NULLIF(i, 0) FROM t",
            types={"t": {"amount": "DECIMAL(10, 2)", "i": "INT"}},
        ),
        Example(before="SELECT a / 3 FROM t", after="SELECT CAST(a AS DOUBLE) / 3 FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in SPARK_READERS:
            return None
        left, right = spark_numeric(node.this, ctx), spark_numeric(node.expression, ctx)
        if left is None or right is None or not (left.is_decimal or right.is_decimal):
            return None
        changed = False
        for key, numeric in (("this", left), ("expression", right)):
            if numeric.is_decimal:
                continue
            cast = spark_operand_cast(node.args[key], numeric)
            if cast is not None:
                node.set(key, cast)
                changed = True
        return node if changed else None
