"""An OVER clause left on an expression around an aggregate (``f(agg) OVER w``) moves onto the
aggregate (``f(agg OVER w)``)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import wrapped_aggregate


class OverOnWrappedAggregate(Rule):
    """Function rules translate an aggregate into an expression around a Flink aggregate:
    Spark's ``collect_list(x)`` becomes ``ARRAY_REMOVE(ARRAY_AGG(x), NULL)``, Snowflake's
    ``ARRAY_UNIQUE_AGG(x)`` ``ARRAY_REMOVE(ARRAY_AGG(DISTINCT x), NULL)``.  Used as a window
    function (``collect_list(x) OVER (PARTITION BY k)``) the OVER clause then applies to the
    outer expression, which Flink's planner rejects ("OVER must be applied to aggregate
    function").  The expression computes the same value per row when the OVER moves onto the
    single aggregate inside it: ``ARRAY_REMOVE(ARRAY_AGG(x) OVER (PARTITION BY k), NULL)``
    (the window's rows and frame are unchanged; the wrapper is applied to each row's
    aggregate as it was to the group's).  The window node stays the same object, so the
    streaming window checks (SL4004, SL4014) still see it.
    """

    id = "SL3025"
    name = "over-on-wrapped-aggregate"
    title = "f(agg) OVER w, from a function rule, becomes f(agg OVER w)"
    node_types = (exp.Window,)
    examples = (
        Example(
            before="SELECT a, collect_list(b) OVER (PARTITION BY a ORDER BY ts) AS l FROM t",
            after="SELECT a, ARRAY_REMOVE(ARRAY_AGG(b) OVER (PARTITION BY a ORDER BY ts), NULL) AS l FROM t",
        ),
        Example(
            before="SELECT a, collect_set(s) OVER (PARTITION BY a ORDER BY ts) AS l FROM t",
            after="SELECT a, ARRAY_REMOVE(ARRAY_AGG(DISTINCT s) OVER (PARTITION BY a ORDER BY ts), NULL) AS l FROM t",
        ),
        Example(
            before="SELECT a, size(collect_list(b) OVER (PARTITION BY a ORDER BY ts)) AS l FROM t", mode=Mode.BATCH,
            after="SELECT a, COALESCE(CARDINALITY(ARRAY_REMOVE(ARRAY_AGG(b) OVER (PARTITION BY a ORDER BY ts), NULL)), -1) "
            "AS l FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Window)
        wrapper = node.this
        aggregate = wrapped_aggregate(node)
        if node.arg_key == "windows" or aggregate is None or node.parent is None:
            return None
        hole = exp.var("__sl_over")
        aggregate.replace(hole)
        node.set("this", aggregate)
        node.replace(wrapper)
        hole.replace(node)
        return node  # changed in place: the window (now under the wrapper) goes on to the next rules
