"""A final ORDER BY in streaming: legal only on a time attribute, or with LIMIT (Top-N)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.constants import reads_no_table
from shiftleft.rewrite.packs import pack_module

H = pack_module(__file__, "_helpers")

_EVENT_TIME = {"t": "ts"}


class FinalOrderByStreaming(Rule):
    """Spark sorts the finished result of a batch query.  A streaming result never finishes, so
    Flink can sort it only by a time attribute ascending (rows then leave in watermark order):
    any other final ORDER BY fails with "Sort on a non-time-attribute field is not supported"
    (checked on Flink 2.3; this includes ORDER BY after a GROUP BY, whose output has no time
    attribute, and descending time).  ORDER BY ... LIMIT n is accepted: Flink plans a Top-N
    whose result is updating (rows enter and leave the top n).

    The rule never removes the ORDER BY itself (that would change what the user asked for); it
    reports an error with the two ways out: drop it (order means nothing in an unbounded
    result; a sink or a downstream query orders if it needs to), or add LIMIT for a Top-N.
    ORDER BY inside subqueries is ignored by Flink and not reported.  Without a declared
    event-time column, a plain ascending column might be a time attribute: a warning then;
    not when the query reads only rows written in the SQL (VALUES, views of them), which have
    no time attribute.
    """

    id = "SL4005"
    name = "final-order-by-streaming"
    title = "A final ORDER BY in streaming must lead with the time attribute ascending (or have LIMIT)"
    node_types = (exp.Select, exp.SetOperation)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT a, b FROM t ORDER BY a",
            after="SELECT a, b FROM t ORDER BY a",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, b FROM t ORDER BY ts",
            after="SELECT a, b FROM t ORDER BY ts",
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, count(*) AS c FROM t GROUP BY a ORDER BY c DESC LIMIT 10",
            after="SELECT a, COUNT(*) AS c FROM t GROUP BY a ORDER BY c DESC LIMIT 10",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="CREATE TEMPORARY VIEW v AS SELECT * FROM VALUES (1, 2) AS v(a, b); SELECT a, b FROM v ORDER BY a",
            after="CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES (1, 2)) AS v(a, b);\nSELECT a, b FROM v ORDER BY a",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, b FROM t ORDER BY a",
            after="SELECT a, b FROM t ORDER BY a",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, (exp.Select, exp.SetOperation))
        order = node.args.get("order")
        if order is None or not order.expressions or not self._is_final(node):
            return None
        if node.args.get("limit") is not None or node.args.get("fetch") is not None:
            if not self._on_time(node, order.expressions[0], ctx):
                ctx.report(
                    order,
                    "ORDER BY ... LIMIT in streaming is a Top-N: Flink keeps the top rows in state "
                    "and emits an updating result (rows enter and leave the top n)",
                    severity=Severity.INFO,
                    suggestion="write it to a sink that accepts updates (upsert / retract)",
                )
            return None
        if self._on_time(node, order.expressions[0], ctx):
            return None
        first = order.expressions[0]
        maybe_time = (
            not H.any_event_time(node, ctx)
            and not reads_no_table(node, ctx.constant_relations)  # rows written in the SQL: no time attribute
            and isinstance(first.this, exp.Column)
            and not first.args.get("desc")
            and not (isinstance(node, exp.Select) and H.is_aggregated(node))
        )
        ctx.report(
            order,
            "Flink streaming can sort only on a time attribute (ascending); "
            + (
                f"{ctx.sql(first.this)} is one only if it is the table's event-time column"
                if maybe_time
                else "this ORDER BY is rejected by the planner"
            ),
            severity=Severity.WARNING if maybe_time else Severity.ERROR,
            suggestion="drop the ORDER BY (order is not meaningful in an unbounded result), or add "
            "LIMIT n for a Top-N (an updating result)"
            + ("; declare the event-time column (event_time=) to check this" if maybe_time else ""),
        )
        return None

    @staticmethod
    def _is_final(node: exp.Expr) -> bool:
        """The statement's own result: the root query, or the query of an INSERT / CREATE."""
        parent = node.parent
        while isinstance(parent, exp.Subquery) and parent.parent is None:
            parent = parent.parent
        return parent is None or isinstance(parent, (exp.Insert, exp.Create))

    @staticmethod
    def _on_time(node: exp.Expr, first: exp.Ordered, ctx: RuleContext) -> bool:
        if first.args.get("desc") or not isinstance(first.this, exp.Column):
            return False
        if isinstance(node, exp.Select) and H.is_aggregated(node):
            return False
        return ctx.is_event_time(first.this)
