"""Spark conditionals: IF with a NULL branch, try_divide."""

from __future__ import annotations

import re

from sqlglot import exp

from shiftleft.dialects.flink_typing import inferred_counterpart, known_type, typed_null
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type
from shiftleft.rewrite.walk import own_nodes


#: a string literal that no engine reads as a number, date, time or boolean: what is compared
#: with it, or coalesced with it, is text (Snowflake would fail converting it otherwise)
_NOT_TEXT = re.compile(
    r"\s*([-+]?[\d.]+([eE][-+]?\d+)?|true|false|yes|no|on|off|y|n|t|f|.*\d{1,4}[-/.: ]\d{1,2}.*"
    r"|.*\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b.*)\s*",
    re.IGNORECASE,
)


def _plain_text(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Literal) and node.is_string and not _NOT_TEXT.fullmatch(node.this)


def _text_by_context(node: exp.If, other: exp.Expr) -> bool:
    """The IF's value is text by its context: it is coalesced with a plain-text literal
    (``COALESCE(IF(c, x, NULL), 'Unknown')``), or its other branch is a column the same SELECT
    compares with plain-text literals (``x IN ('E10', 'starter')``, ``x = 'abc'``)."""
    parent = node.parent
    if isinstance(parent, exp.Coalesce) and any(
        _plain_text(e) for e in (parent.this, *parent.expressions) if e is not node
    ):
        return True
    if not isinstance(other, exp.Column):
        return False
    scope = node.parent_select or node.root()
    for compare in own_nodes(scope, (exp.EQ, exp.NEQ, exp.In, exp.Like, exp.ILike)):
        if compare.this != other:
            continue
        values = compare.expressions if isinstance(compare, exp.In) else [compare.expression]
        if values and all(_plain_text(v) for v in values):
            return True
    return False


class TypedNullInIf(Rule):
    """Spark's ``if`` and Flink's ``IF`` both return a when c is TRUE and b when c is FALSE or
    NULL.  Spark types ``IF(c, x, NULL)`` (and ``IF(c, NULL, x)``) by the other branch; Flink's
    planner rejects the bare NULL ("Illegal use of 'NULL'").  The NULL becomes
    ``CAST(NULL AS <type of x>)`` when that type is declared (a CAST, a literal, the schema)
    or inferred from the statement, or ``CAST(NULL AS STRING)`` when the context says the value
    is text: the IF is coalesced with a string literal that cannot be read as a number, date or
    boolean (``COALESCE(IF(c, x, NULL), 'Unknown')``), or x is a column the same SELECT compares
    with such literals (``x IN ('E10', 'starter')``), which Snowflake and Spark would fail to
    convert for any other type; otherwise it is reported.  Spark's ``try_divide`` and
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
        Example(
            before="SELECT COALESCE(IF(s IN ('E10', 'starter'), s, NULL), 'Unknown') FROM t", read="snowflake",
            after="SELECT COALESCE(IF(s IN ('E10', 'starter'), s, CAST(NULL AS STRING)), 'Unknown') FROM t",
        ),
        Example(
            before="SELECT IF(a > 0, s2, NULL) FROM t WHERE s2 <> 'none'", read="snowflake",
            after="SELECT IF(a > 0, s2, CAST(NULL AS STRING)) FROM t WHERE s2 <> 'none'",
        ),
        Example(  # a literal that reads as a date says nothing about the type
            before="SELECT COALESCE(IF(a > 0, b, NULL), '2024-01-01') FROM t",
            after="SELECT COALESCE(IF(a > 0, b, NULL), '2024-01-01') FROM t", diagnoses=True,
        ),
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
        if kind is None and _text_by_context(node, other):
            kind = data_type("STRING")
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
