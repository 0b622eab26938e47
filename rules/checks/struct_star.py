"""A star inside struct(...): the fields Spark spreads into the struct."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext


class StructStar(Rule):
    """Spark's ``struct(s.*)`` builds a struct of every field of the struct column ``s`` (or
    every column of the input ``s``), named as they are.  Flink's ROW takes values only: the
    star is "Unknown field '*'", and a ROW built of listed values loses their names (the
    fields become ``EXPR$0``...).  Reported: list the fields, as ``CAST(ROW(s.a, s.b) AS
    ROW<a ..., b ...>)`` when their names matter."""

    id = "SL9217"
    name = "struct-star"
    title = "struct(x.*): a star inside a struct has no Flink ROW form"
    phase = "check"
    node_types = (exp.Struct, exp.Anonymous)  # (struct() is ROW() here already, see SL1082)
    examples = (
        Example(before="SELECT struct(s.*) AS n FROM t", after="SELECT ROW(s.*) AS n FROM t", diagnoses=True),
        Example(before="SELECT struct(a, b) AS n FROM t", after="SELECT ROW(a, b) AS n FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.Anonymous) and node.name.upper() != "ROW":
            return None
        for value in node.expressions:
            inner = value.this if isinstance(value, (exp.Alias, exp.PropertyEQ)) else value
            if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and inner.is_star):
                ctx.report(
                    node,
                    f"{ctx.sql(inner)} inside a struct: Flink's ROW takes values, not a star, and names "
                    "its fields EXPR$0...",
                    severity=Severity.ERROR,
                    suggestion="list the fields: CAST(ROW(s.a, s.b) AS ROW<a TYPE, b TYPE>) keeps their names",
                )
                return None
        return None
