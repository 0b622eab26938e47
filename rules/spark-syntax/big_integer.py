"""An integer literal beyond BIGINT: Spark reads it as a DECIMAL, Flink refuses it."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type

_BIGINT_MAX = 2**63 - 1
#: the largest precision of Spark's (and Flink's) DECIMAL
_MAX_PRECISION = 38


class IntegerLiteralBeyondBigint(Rule):
    """Spark types an integer literal that does not fit a BIGINT (``9223372036854775808``) as
    ``DECIMAL(digits, 0)``; Flink's validator rejects it ("Numeric literal
    '9223372036854775809' out of range").  The literal becomes ``CAST('digits' AS
    DECIMAL(digits, 0))``: Spark's value and type.  One of more than 38 digits fits no DECIMAL
    (Spark rejects it too): reported."""

    id = "SL3046"
    name = "integer-literal-beyond-bigint"
    title = "An integer literal beyond BIGINT becomes a DECIMAL, as Spark types it"
    node_types = (exp.Literal,)
    examples = (
        Example(
            before="SELECT 9223372036854775808 AS big, 2 AS small",
            after="SELECT CAST('9223372036854775808' AS DECIMAL(19, 0)) AS big, 2 AS small",
        ),
        Example(
            before="SELECT -9223372036854775809 AS n",
            after="SELECT -CAST('9223372036854775809' AS DECIMAL(19, 0)) AS n",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Literal)
        text = node.this
        if node.is_string or not isinstance(text, str) or not text.isdigit() or int(text) <= _BIGINT_MAX:
            return None
        digits = text.lstrip("0")
        if len(digits) > _MAX_PRECISION:
            ctx.report(
                node,
                f"the integer literal {text[:20]}... has {len(digits)} digits: no DECIMAL holds "
                f"more than {_MAX_PRECISION} (Spark rejects it too)",
                severity=Severity.ERROR,
                suggestion="write it as a DOUBLE (with an exponent: 1.0E40) or as a string",
            )
            return None
        return exp.Cast(this=exp.Literal.string(digits), to=data_type(f"DECIMAL({len(digits)}, 0)"))
