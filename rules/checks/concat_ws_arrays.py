"""concat_ws over strings and arrays together: no Flink form written yet."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.predicates import array_valued


class ConcatWsArrays(Rule):
    """Spark's ``concat_ws(sep, ...)`` flattens its array arguments: ``concat_ws('-', s,
    split(x, ','))`` joins ``s`` and the pieces.  One array alone is SL1024's (``ARRAY_JOIN``);
    with other arguments Flink's generator wrote ``ARRAY_JOIN(ARRAY[s, arr], sep)``, which the
    planner rejects ("Parameters must be of the same type", or ARRAY_JOIN of an
    ARRAY<ARRAY<STRING>>), and said nothing.  Reported."""

    id = "SL9218"
    name = "concat-ws-arrays"
    title = "concat_ws of an array with other arguments has no Flink form here"
    phase = "check"
    node_types = (exp.ConcatWs,)
    examples = (
        Example(
            before="SELECT concat_ws('-', s, split(s2, ',')) AS c FROM t",
            after="SELECT ARRAY_JOIN(ARRAY[s, CASE WHEN s2 = '' THEN ARRAY[CAST('' AS STRING)] ELSE SPLIT(s2, ',') END], '-') AS c FROM t",
            diagnoses=True,
        ),
        Example(before="SELECT concat_ws('-', s, s2) AS c FROM t", after="SELECT ARRAY_JOIN(ARRAY[s, s2], '-') AS c FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        values = node.expressions[1:]
        array = next((v for v in values if array_valued(v, ctx)), None)
        if array is None or len(values) < 2:
            return None
        ctx.report(
            node,
            f"concat_ws joins the array {array.sql('spark')[:60]} with other arguments; Flink's ARRAY_JOIN "
            "takes one array of strings",
            severity=Severity.ERROR,
            suggestion="join the array first (concat_ws(sep, s, concat_ws(sep, arr)) joins the same pieces "
            "when the array is not empty), or concatenate the arrays",
        )
        return None
