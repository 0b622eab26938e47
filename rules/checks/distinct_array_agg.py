"""Batch aggregations that mix DISTINCT aggregates with a plain ARRAY_AGG, which the batch planner rejects."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext


def _distinct(agg: exp.Expr) -> bool:
    return isinstance(agg.this, exp.Distinct)


class DistinctWithArrayAgg(Rule):
    """Flink's batch planner rewrites a GROUP BY holding DISTINCT aggregates into two
    aggregation levels, and carries every other aggregate to the outer level with ``MIN``:
    ``SELECT a, COUNT(DISTINCT s), ARRAY_AGG(s2) ... GROUP BY a`` (Spark's ``count(distinct)``
    beside ``collect_list``) is rejected with "Min aggregate function does not support type:
    ARRAY".  Streaming plans it, and an ``ARRAY_AGG(DISTINCT ...)`` is fine (checked on Flink
    2.3).  Reported in batch mode on the non-DISTINCT ``ARRAY_AGG``.
    """

    id = "SL3043"
    name = "distinct-with-array-agg"
    title = "Batch: a plain ARRAY_AGG beside DISTINCT aggregates is reported (Flink's batch planner rejects it)"
    phase = "check"
    modes = frozenset({Mode.BATCH})
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, COUNT(DISTINCT s), collect_list(s2) FROM t GROUP BY a",
            after="SELECT a, COUNT(DISTINCT s), ARRAY_REMOVE(ARRAY_AGG(s2), NULL) FROM t GROUP BY a",
            mode=Mode.BATCH,
            diagnoses=True,
        ),
        Example(
            before="SELECT a, COUNT(DISTINCT s), collect_set(s2) FROM t GROUP BY a",
            after="SELECT a, COUNT(DISTINCT s), ARRAY_REMOVE(ARRAY_AGG(DISTINCT s2), NULL) FROM t GROUP BY a",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        aggregates = [a for a in ctx.own_nodes(node, exp.AggFunc) if a.find_ancestor(exp.Window) is None]
        if not any(_distinct(a) for a in aggregates):
            return None
        for agg in aggregates:
            if isinstance(agg, exp.ArrayAgg) and not _distinct(agg):
                ctx.report(
                    agg,
                    f"{agg.sql(dialect='flink')[:60]} beside DISTINCT aggregates: Flink's batch planner rejects the "
                    "aggregation ('Min aggregate function does not support type ARRAY')",
                    severity=Severity.ERROR,
                    suggestion="aggregate the DISTINCT counts and the arrays in two queries joined on the GROUP BY "
                    "keys, or run the job in streaming mode",
                )
        return None
