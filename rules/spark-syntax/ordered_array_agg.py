"""An ordered ARRAY_AGG (``ARRAY_AGG(x ORDER BY k)``, Snowflake's ``WITHIN GROUP (ORDER BY
k)``) is reported: Flink 2.3 accepts the order and ignores it."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext


def _ordered(node: exp.ArrayAgg) -> bool:
    """Whether ``node`` orders its values: ``ARRAY_AGG(x ORDER BY k)``, or under a WITHIN
    GROUP (ORDER BY k), directly or inside the expression a function rule wrapped it in."""
    if isinstance(node.this, (exp.Order, exp.Limit)):  # BigQuery: ARRAY_AGG(x ORDER BY k LIMIT n)
        return True
    parent = node.parent
    while parent is not None and not isinstance(parent, (exp.WithinGroup, exp.Select, exp.Window)):
        parent = parent.parent
    return isinstance(parent, exp.WithinGroup) and isinstance(parent.expression, exp.Order)


class OrderedArrayAgg(Rule):
    """DuckDB, BigQuery, Postgres and Trino write ``ARRAY_AGG(x ORDER BY k)``, Snowflake
    ``ARRAY_AGG(x) WITHIN GROUP (ORDER BY k)``: the array holds the values in that order.
    Flink 2.3's planner accepts ``ARRAY_AGG(x ORDER BY k)`` and ignores the order (checked on
    the engine: ``ARRAY_AGG(s ORDER BY k DESC)`` over ('a', 1), ('b', 3), ('c', 2) gives
    ['a', 'b', 'c'], the input's order), and rejects WITHIN GROUP on ARRAY_AGG.  No Flink
    aggregate keeps an order, so the call is reported rather than passed on with another
    meaning.
    """

    id = "SL3031"
    name = "ordered-array-agg"
    title = "an ordered ARRAY_AGG is reported: Flink's ARRAY_AGG ignores the order"
    node_types = (exp.ArrayAgg,)
    phase = "check"
    examples = (
        Example(
            before="SELECT a, ARRAY_AGG(s) WITHIN GROUP (ORDER BY ts DESC) AS l FROM t GROUP BY a",
            after="SELECT a, ARRAY_REMOVE(ARRAY_AGG(s), NULL) WITHIN GROUP (ORDER BY ts DESC NULLS FIRST) AS l FROM t GROUP BY a",
            read="snowflake",
            mode=Mode.BATCH,
            diagnoses=True,
        ),
        Example(
            before="SELECT a, array_agg(s ORDER BY ts) AS l FROM t GROUP BY a",
            after="SELECT a, ARRAY_AGG(s ORDER BY ts NULLS LAST) AS l FROM t GROUP BY a",
            read="duckdb",
            mode=Mode.BATCH,
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.ArrayAgg)
        if _ordered(node):
            ctx.report(
                node,
                "an ordered (or limited) ARRAY_AGG has no Flink form: Flink accepts ARRAY_AGG(x ORDER BY k) "
                "and ignores the order (the array holds the values in arrival order)",
                severity=Severity.ERROR,
                suggestion="drop the ordering if it does not matter, or sort the array where it is read",
            )
        return None
