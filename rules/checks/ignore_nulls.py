"""LEAD / LAG ... IGNORE NULLS: Flink 2.3 accepts the words and ignores them."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext


class LeadLagIgnoreNulls(Rule):
    """Spark's ``lead(v, n) IGNORE NULLS`` / ``lag(v, n) IGNORE NULLS`` skip the rows where v
    is NULL when counting n rows.  Flink 2.3's planner accepts ``IGNORE NULLS`` on LEAD / LAG
    but computes them as if it were absent (it returns the NULL of the next row): wrong values,
    with no error.  Found on Apache Spark's SQL tests (window.sql), where the Flink batch rows
    differed from Spark's; the call is reported rather than translated."""

    id = "SL9216"
    name = "lead-lag-ignore-nulls"
    title = "LEAD / LAG with IGNORE NULLS (Flink ignores the words: other values than Spark)"
    phase = "check"
    node_types = (exp.IgnoreNulls,)
    examples = (
        Example(
            before="SELECT lead(v, 1) IGNORE NULLS OVER (ORDER BY id) FROM t",
            after="SELECT LEAD(v, 1) IGNORE NULLS OVER (ORDER BY id) FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT lead(v, 1) OVER (ORDER BY id) FROM t",
            after="SELECT LEAD(v, 1) OVER (ORDER BY id) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if not isinstance(node.this, (exp.Lead, exp.Lag)):
            return None
        ctx.report(
            node,
            f"{node.this.key.upper()} ... IGNORE NULLS: Flink 2.3 computes it as if IGNORE NULLS "
            "were absent (the next / previous row even when its value is NULL), not as Spark does",
            severity=Severity.ERROR,
            suggestion="compute the value over the non-NULL rows (e.g. LAST_VALUE(v) over a frame "
            "ending one row before, which skips NULLs in Flink), or drop IGNORE NULLS if no NULL occurs",
        )
        return None
