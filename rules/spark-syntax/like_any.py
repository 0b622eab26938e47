"""``LIKE ANY / ALL (p1, p2, ...)`` becomes a disjunction / conjunction of LIKEs."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type


def _patterns(quantified: exp.Expr) -> list[exp.Expr] | None:
    """The patterns of ``ANY (p1, p2)`` / ``ALL (p)``; None for a subquery."""
    inner = quantified.this
    if isinstance(inner, exp.Tuple):
        return list(inner.expressions)
    if isinstance(inner, exp.Paren) and not isinstance(inner.this, exp.Query):
        return [inner.this]
    return None


class LikeAnyAll(Rule):
    """Spark and Snowflake match a string against several patterns with ``x LIKE ANY (p1, p2)``
    (any pattern matches), ``LIKE ALL`` (every pattern matches), their ``ILIKE`` forms and
    ``NOT LIKE ANY / ALL`` (some / every pattern does not match).  Flink has no quantified
    LIKE: the generated ``LIKE ANY (...)`` is a syntax error.  The rule expands it into the
    LIKEs it stands for, joined with OR (ANY) or AND (ALL): SQL's three-valued logic makes the
    expansion exact, NULLs included (no match and a NULL pattern is NULL in both; a NULL
    pattern is typed as a STRING, which Flink requires).  ``ILIKE``
    compares ``LOWER`` of both sides.  A subquery of patterns is reported.
    """

    id = "SL3024"
    name = "like-any-all"
    title = "x LIKE ANY / ALL (p1, p2, ...) becomes (x LIKE p1 OR / AND x LIKE p2 ...)"
    node_types = (exp.Like, exp.ILike)
    examples = (
        Example(
            before="SELECT s LIKE ANY ('a%', '%b') AS m FROM t",
            after="SELECT (s LIKE 'a%' OR s LIKE '%b') AS m FROM t",
        ),
        Example(
            before="SELECT s FROM t WHERE s ILIKE ANY ('%.ru', '%.by')",
            after="SELECT s FROM t WHERE (LOWER(s) LIKE LOWER('%.ru') OR LOWER(s) LIKE LOWER('%.by'))",
            read="snowflake",
        ),
        Example(
            before="SELECT s NOT LIKE ALL ('a%', 'b%') AS m FROM t",
            after="SELECT (NOT s LIKE 'a%' AND NOT s LIKE 'b%') AS m FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        quantified = node.expression
        if not isinstance(quantified, (exp.Any, exp.All)):
            return None
        patterns = _patterns(quantified)
        if not patterns:
            ctx.report(
                node,
                "LIKE ANY / ALL over a subquery has no Flink form",
                severity=Severity.ERROR,
                suggestion="list the patterns, or join the pattern table: EXISTS (SELECT 1 FROM p WHERE x LIKE p.pattern)",
            )
            return None
        lowered = isinstance(node, exp.ILike)
        parts: list[exp.Expr] = []
        for pattern in patterns:
            subject, template = node.this.copy(), pattern.copy()
            if isinstance(template, exp.Null):  # Flink refuses an untyped NULL operand of LIKE
                template = exp.cast(template, data_type("STRING"))
            if lowered:
                subject, template = exp.Lower(this=subject), exp.Lower(this=template)
            like: exp.Expr = exp.Like(this=subject, expression=template)
            parts.append(exp.Not(this=like) if node.args.get("negate") else like)
        combined = exp.or_(*parts, copy=False) if isinstance(quantified, exp.Any) else exp.and_(*parts, copy=False)
        return exp.Paren(this=combined)
