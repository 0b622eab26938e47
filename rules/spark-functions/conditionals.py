"""Spark conditionals: IF with a NULL branch, try_divide."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_typing import inferred_counterpart, known_type, typed_null
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.types import data_type


class TypedNullInIf(Rule):
    """Spark's ``if`` and Flink's ``IF`` both return a when c is TRUE and b when c is FALSE or
    NULL.  Spark types ``IF(c, x, NULL)`` (and ``IF(c, NULL, x)``) by the other branch; Flink's
    planner rejects the bare NULL ("Illegal use of 'NULL'").  The NULL becomes
    ``CAST(NULL AS <type of x>)`` when that type is declared (a CAST, a literal, the schema)
    or inferred from the statement; otherwise it is reported.  Spark's ``try_divide`` and
    ``nullif`` translations produce this shape too.
    """

    id = "SL1070"
    name = "if-to-if"
    title = "if(c, a, b) becomes IF(c, a, b); a bare NULL branch gets the type of the other branch"
    node_types = (exp.If,)
    examples = (
        Example(
            before="SELECT IF(a > 0, s, NULL) FROM t",
            after="SELECT IF(a > 0, s, CAST(NULL AS STRING)) FROM t",
            types={"t": {"a": "INT", "s": "STRING"}},
        ),
        Example(
            before="SELECT IF(a > 0, NULL, a + 1) FROM t",
            after="SELECT IF(a > 0, CAST(NULL AS INT), a + 1) FROM t",
            types={"t": {"a": "INT"}},
        ),
        Example(before="SELECT if(a > 1, s, s2) FROM t", after="SELECT IF(a > 1, s, s2) FROM t"),
        Example(before="SELECT IF(a > 0, b, NULL) FROM t", after="SELECT IF(a > 0, b, NULL) FROM t", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.If)
        true, false = node.args.get("true"), node.args.get("false")
        if false is None or true is None:
            return None
        if isinstance(false, exp.Null) == isinstance(true, exp.Null):
            return None
        null, other = (false, true) if isinstance(false, exp.Null) else (true, false)
        kind = ctx.declared_type(other)
        if kind is None:
            twin = inferred_counterpart(node, ctx.schema, ctx.read, ctx.memo)
            twin_other = twin.args.get("true" if other is true else "false") if twin is not None else None
            kind = known_type(twin_other) if twin_other is not None else None
        if kind is None:
            ctx.report(
                null,
                "an untyped NULL branch of IF is rejected by Flink and the type of the other "
                "branch is not known",
                severity=Severity.ERROR,
                suggestion="write CAST(NULL AS <type>), or declare the column types with schema=",
            )
            return None
        null.replace(typed_null(kind))
        return node


class TryDivide(Rule):
    """Spark's ``try_divide(a, b)`` is ``a / b`` as a DOUBLE, or NULL when b is 0 (no error
    under ANSI mode).  Flink has no TRY_DIVIDE: ``IF(b <> 0, CAST(a AS DOUBLE) / b,
    CAST(NULL AS DOUBLE))``.  Difference: Spark keeps a DECIMAL result for DECIMAL input.
    """

    id = "SL1071"
    name = "try-divide-to-if"
    title = "try_divide(a, b) becomes IF(b <> 0, CAST(a AS DOUBLE) / b, CAST(NULL AS DOUBLE))"
    node_types = (exp.SafeDivide,)
    examples = (
        Example(
            before="SELECT try_divide(a, b) FROM t",
            after="SELECT IF(b <> 0, CAST(a AS DOUBLE) / b, CAST(NULL AS DOUBLE)) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.SafeDivide)
        double = data_type("DOUBLE")
        quotient = exp.Div(this=exp.Cast(this=node.this.copy(), to=double.copy()), expression=node.expression.copy())
        return exp.If(
            this=exp.NEQ(this=node.expression.copy(), expression=exp.Literal.number(0)),
            true=quotient,
            false=typed_null(double),
        )
