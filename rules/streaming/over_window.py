"""OVER windows in streaming: one ascending ORDER BY on a time attribute, no FOLLOWING."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.rewrite.walk import bare_copy, own_nodes_bfs

H = pack_module(__file__, "_helpers")
P = pack_module(__file__, "_partitions")

_EVENT_TIME = {"t": "ts"}
_SUGGEST_ORDER = "order the window by the event-time column, ascending: OVER (PARTITION BY k ORDER BY ts)"


def _signature(window: exp.Window, ctx: RuleContext) -> str:
    """The window definition without the function: equal for windows Flink can share."""
    bare = bare_copy(H.window_definition(window) or window)
    bare.set("this", exp.Star())
    bare.set("alias", None)
    return ctx.sql(bare)


class OverWindowStreaming(Rule):
    """Spark evaluates an OVER window over a finished partition, in any order and with any
    frame.  Flink streaming computes it incrementally, as rows arrive, and its planner (checked
    on Flink 2.3) accepts only:

    * exactly one ORDER BY column, ascending ("The window can only be ordered by a single time
      column", "... only be ordered in ASCENDING mode"); no ORDER BY at all is rejected too;
    * no ``FOLLOWING`` bound (future rows have not arrived: "OVER RANGE FOLLOWING windows are
      not supported yet");
    * the same window for every OVER aggregate of one SELECT ("All aggregates must be computed
      on the same window");
    * ordering by a non-time column only with an unbounded-preceding frame (the default):
      Flink 2.3 plans it, but the result is updating (a late smaller key changes earlier
      results) and keeps the whole partition in state; a bounded frame (``ROWS 2 PRECEDING``)
      over a non-time column is rejected.

    Errors are reported with the fix; the SQL is not changed, since the fix changes the
    result.  FIRST_VALUE / LAST_VALUE / NTH_VALUE over a whole partition (no ORDER BY, or the
    whole frame, Snowflake's default for them) get an error of their own: no frame change
    fixes them.  A whole-partition aggregate without ORDER BY (``sum(x) OVER (PARTITION BY k)``)
    is not an error: SL4014 rewrites it as a join with the grouped aggregate.  The time-attribute checks need a declared event-time column (``event_time=``);
    without one they stay silent.  Ranking functions filtered as a Top-N are not OVER
    aggregations (see SL4001 / SL4002) and are skipped, also when the filter sits in the outer
    WHERE next to joins and SL4015 moves it down to the ranked input; LEAD is SL4003.
    """

    id = "SL4004"
    name = "over-window-streaming"
    title = "OVER windows in streaming need one ascending time-attribute ORDER BY and no FOLLOWING"
    node_types = (exp.Window,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM t",
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, first_value(b) IGNORE NULLS OVER (PARTITION BY a) AS s FROM t",
            after="SELECT a, FIRST_VALUE(b) OVER (PARTITION BY a) AS s FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(  # Snowflake's default frame of LAST_VALUE is the whole partition
            before="SELECT a, LAST_VALUE(b) OVER (PARTITION BY a ORDER BY ts) AS s FROM t", read="snowflake",
            after="SELECT a, CASE WHEN LAST_VALUE(b IS NULL) OVER (PARTITION BY a ORDER BY ts NULLS LAST ROWS BETWEEN "
            "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) THEN NULL ELSE LAST_VALUE(b) OVER (PARTITION BY a ORDER BY ts "
            "NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) END AS s FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a ORDER BY ts DESC) AS s FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY ts DESC) AS s FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS s FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS s FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a ORDER BY b) AS s FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY b) AS s FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a ORDER BY ts) AS s, count(*) OVER (PARTITION BY b ORDER BY ts) AS c FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY ts) AS s, COUNT(*) OVER (PARTITION BY b ORDER BY ts) AS c FROM t",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, lag(b) OVER (PARTITION BY a ORDER BY ts) AS pb FROM t",
            after="SELECT a, LAG(b) OVER (PARTITION BY a ORDER BY ts) AS pb FROM t",
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, sum(b) OVER (PARTITION BY a) AS s FROM t",
            after="SELECT a, SUM(b) OVER (PARTITION BY a) AS s FROM t",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
        Example(  # a named window is read from its WINDOW clause
            before="SELECT a, lag(b) OVER w AS pb FROM t WINDOW w AS (PARTITION BY a ORDER BY ts DESC)",
            after="SELECT a, LAG(b) OVER w AS pb FROM t WINDOW w AS (PARTITION BY a ORDER BY ts DESC)",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Window)
        if node.parent is not None and node.arg_key == "windows":  # WINDOW w AS (...) clause
            return None
        if isinstance(node.this, H.RANKING) and H.top_n_filter(node) is not None:
            return None  # a Top-N / deduplication, not an OVER aggregation
        if isinstance(node.this, exp.Lead):
            return None  # SL4003 reports it
        if P.rewritable_window(node):
            return None  # a whole-partition window: SL4014 joins its grouped value instead
        definition = H.window_definition(node) or node  # OVER w: the WINDOW clause's definition
        order = definition.args.get("order")
        ordered = order.expressions if order is not None else []
        if P.whole_partition_value(node, definition):
            self._error(
                node, ctx,
                f"{ctx.sql(P.window_function(node))} over a whole partition has no Flink streaming form: "
                "every row would need the partition's first / last row, which changes as rows arrive "
                "(a Top-1 joined back loses its updates in Flink 2.3)",
                suggestion="keep one row per partition in a model of its own (ROW_NUMBER() OVER (PARTITION "
                "BY k ORDER BY o) = 1) and join it on k, or run this model in batch mode",
            )
            return None
        if not ordered:
            self._error(node, ctx, "an OVER window without ORDER BY is not supported in Flink streaming")
            return None
        if len(ordered) > 1:
            self._error(node, ctx, "a streaming OVER window can be ordered by a single (time) column only")
            return None
        first = ordered[0]
        if first.args.get("desc"):
            self._error(node, ctx, "a streaming OVER window can be ordered only in ascending order")
            return None
        spec = definition.args.get("spec")
        if spec is not None and "FOLLOWING" in {
            str(spec.args.get("start_side") or "").upper(),
            str(spec.args.get("end_side") or "").upper(),
        }:
            ctx.report(
                node,
                "FOLLOWING bounds are not supported by Flink in streaming mode (future rows have "
                "not arrived)",
                severity=Severity.ERROR,
                suggestion="end the frame at CURRENT ROW: ROWS BETWEEN n PRECEDING AND CURRENT ROW "
                "(or RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW)",
            )
            return None
        if not self._first_of_select(node, ctx):
            return None
        if not H.any_event_time(node, ctx):
            return None
        key = first.this
        if isinstance(key, exp.Column) and ctx.is_event_time(key):
            return None
        bounded = spec is not None and str(spec.args.get("start") or "").upper() != "UNBOUNDED"
        if bounded:
            self._error(
                node,
                ctx,
                f"a bounded OVER window ordered by {ctx.sql(key)} (not a time attribute) is "
                "not supported in Flink streaming",
            )
            return None
        ctx.report(
            node,
            f"OVER window ordered by {ctx.sql(key)}, not by the event-time attribute: Flink "
            "plans it, but the result is updating (a row that sorts earlier changes the results "
            "of later ones) and the whole partition stays in state",
            severity=Severity.WARNING,
            suggestion=_SUGGEST_ORDER + " for an insert-only result",
        )
        return None

    @staticmethod
    def _error(node: exp.Window, ctx: RuleContext, message: str, suggestion: str = _SUGGEST_ORDER) -> None:
        ctx.report(node, message, severity=Severity.ERROR, suggestion=suggestion)

    @staticmethod
    def _first_of_select(node: exp.Window, ctx: RuleContext) -> bool:
        """Report when another OVER aggregate of the same SELECT uses a different window
        (once, on the later one); False when reported."""
        select = node.parent_select
        if select is None:
            return True
        others = [
            w
            for w in own_nodes_bfs(select, exp.Window)
            if w.arg_key != "windows"
            and not (isinstance(w.this, H.RANKING) and H.top_n_filter(w) is not None)
        ]
        mine = _signature(node, ctx)
        for other in others:
            if other is node:
                return True
            if _signature(other, ctx) != mine:
                ctx.report(
                    node,
                    "Flink streaming computes all OVER aggregates of one SELECT on the same window; "
                    "this one differs from an earlier one",
                    severity=Severity.ERROR,
                    suggestion="use one window definition for all OVER aggregates, or compute them in "
                    "separate subqueries and join the results",
                )
                return False
        return True
