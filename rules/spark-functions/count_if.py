"""count_if / COUNT_IF (Spark and Snowflake): Flink has no such aggregate."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import argument_in_flag


class CountIfToCount(Rule):
    """Flink has no COUNT_IF.  Spark's ``count_if(c)`` and Snowflake's ``COUNT_IF(c)`` count the
    rows where the condition is TRUE (FALSE and NULL are not counted; an empty group counts
    0), which is ``COUNT(*) FILTER (WHERE c)``.  Flink rejects a FILTER clause under OVER
    ("OVER must be applied to aggregate function"), so the window form ``count_if(c) OVER
    (...)`` becomes ``COUNT(CASE WHEN c THEN 1 END) OVER (...)``, which counts the same rows
    (the CASE is NULL, not counted, unless c is TRUE) and is 0 on an empty frame too.
    ``count_if(DISTINCT c)`` is left to the unmapped-function check; a call with a second
    argument is reported (count_if takes one).
    """

    id = "SL1043"
    name = "count-if-to-count-filter"
    title = "count_if(c) becomes COUNT(*) FILTER (WHERE c); in an OVER window COUNT(CASE WHEN c THEN 1 END)"
    node_types = (exp.CountIf,)
    examples = (
        Example(
            before="SELECT b, count_if(a > 1) FROM t GROUP BY b",
            after="SELECT b, COUNT(*) FILTER(WHERE a > 1) FROM t GROUP BY b",
        ),
        Example(
            before="SELECT b, COUNT_IF(a > 1 AND flag) FROM t GROUP BY b", read="snowflake",
            after="SELECT b, COUNT(*) FILTER(WHERE a > 1 AND flag) FROM t GROUP BY b",
        ),
        Example(
            before="SELECT a, count_if(b > 1) OVER (PARTITION BY a ORDER BY ts) AS c FROM t",
            after="SELECT a, COUNT(CASE WHEN b > 1 THEN 1 END) OVER (PARTITION BY a ORDER BY ts) AS c FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        condition = node.this
        if condition is None or isinstance(condition, exp.Distinct):
            return None
        extra = argument_in_flag(node, "zero_on_all_null")
        if extra is not None:
            ctx.report(
                node,
                f"count_if takes one argument; this call also passes {extra.sql(ctx.read)}, which the "
                "translation would drop",
                severity=Severity.ERROR,
                suggestion="remove the extra argument",
            )
            return None
        if isinstance(node.parent, exp.Window) and node.arg_key == "this":
            case = exp.Case(ifs=[exp.If(this=condition.copy(), true=exp.Literal.number(1))])
            return exp.Count(this=case)
        return exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=condition.copy()))
