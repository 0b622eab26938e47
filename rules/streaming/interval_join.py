"""A join whose condition bounds one side's event time by the other's is a Flink interval join."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

J = pack_module(__file__, "_joins")

_EVENT_TIME = {"t": "ts"}


class IntervalJoin(Rule):
    """Spark joins two finished tables; ``r.ts BETWEEN l.ts AND l.ts + INTERVAL 4 HOURS`` is
    just a filter there.  In Flink streaming the same condition, when it relates the *time
    attributes* of both inputs (their declared event-time columns) with exactly one lower and
    one upper bound whose offsets are literals, makes the join an **interval join**: an
    insert-only result whose state holds each row only for the interval, freed as the
    watermarks pass.  Any other range condition (a bound on a column that is not a time
    attribute, a computed offset, a single bound) leaves a *regular* join that keeps both
    inputs in state forever.

    The rule reports which one Flink will plan (INFO for an interval join, WARNING for the
    fallback, with the reason), and makes the Spark date bounds usable: ``date_add(l.ts, n)`` /
    ``date_sub(l.ts, n)`` are DATEs in Spark, which SL1011 / SL1012 write
    ``TIMESTAMPADD(DAY, n, CAST(l.ts AS DATE))``; Flink cannot compare a TIMESTAMP with that
    DATE, nor derive an interval from it.  In the join condition they become
    ``FLOOR(l.ts TO DAY) + INTERVAL 'n' DAY``, the same instant (midnight of the day, as Spark
    compares a date with a timestamp), which Flink accepts as an interval bound (checked on
    the Flink 2.3 planner: the plan has an IntervalJoin).  Range conditions in WHERE instead of
    ON are not analysed; temporal (``FOR SYSTEM_TIME AS OF``) and validity-range joins
    (SL4011) are left to their rules.  Without a declared event time the rule stays silent.
    """

    id = "SL4010"
    name = "interval-join"
    title = "A join bounding one side's event time by the other's is an insert-only interval join"
    node_types = (exp.Join,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL 4 HOURS",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL '4' HOUR",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts >= l.ts - INTERVAL 10 MINUTES AND r.ts < l.ts + INTERVAL 1 HOUR",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts >= l.ts - INTERVAL '10' MINUTE AND r.ts < l.ts + INTERVAL '1' HOUR",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l LEFT JOIN t AS r ON l.a = r.a AND r.ts BETWEEN date_sub(l.ts, 1) AND date_add(l.ts, 2)",
            after="SELECT l.a, r.b FROM t AS l LEFT JOIN t AS r ON l.a = r.a AND r.ts BETWEEN FLOOR(l.ts TO DAY) - INTERVAL '1' DAY AND FLOOR(l.ts TO DAY) + INTERVAL '2' DAY",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts2 BETWEEN l.ts AND l.ts + INTERVAL 1 HOUR",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts2 BETWEEN l.ts AND l.ts + INTERVAL '1' HOUR",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts >= l.ts",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts >= l.ts",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL 4 HOURS",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL '4' HOUR",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Join)
        if J.point_in_time(node, ctx) is not None:
            return None  # SL4011 makes it a temporal join
        found = J.interval_join(node, ctx)
        if found.kind == "none":
            return None
        if found.kind == "fallback":
            ctx.report(
                node,
                "this join's time-range condition is not an interval join for Flink ("
                + "; ".join(dict.fromkeys(found.reasons))
                + "): it falls back to a regular join that keeps both inputs in state forever",
                severity=Severity.WARNING,
                suggestion="bound one event time by the other with literal intervals, e.g. r.ts "
                "BETWEEN l.ts - INTERVAL '1' HOUR AND l.ts + INTERVAL '1' HOUR (both columns "
                "declared event time); otherwise set a state TTL (/*+ STATE_TTL(...) */ or "
                "'table.exec.state.ttl')",
            )
            return None
        for old, new in found.rewrites:
            old.replace(new)
        bounded = ctx.sql(found.bounds[0][0])
        preds = list(dict.fromkeys(ctx.sql(p) for _, p in found.bounds))
        outer = node.args.get("side")
        ctx.report(
            node,
            f"interval join: {bounded} is bounded by the other input's event time ("
            + " AND ".join(preds)
            + "); Flink plans an IntervalJoin: insert-only"
            + (" (unmatched rows are emitted once the interval has passed)" if outer else "")
            + ", with state kept only for the interval; both time attributes stay in the output"
            + (
                "; Spark date bounds were written FLOOR(ts TO DAY) +/- INTERVAL 'n' DAY (the same "
                "midnight, comparable with a TIMESTAMP)"
                if found.rewrites
                else ""
            ),
            severity=Severity.INFO,
            suggestion="a sink takes only one time attribute: select one of the two event times "
            "or cast the other (SL4012 does this for INSERT / CREATE TABLE AS)",
        )
        return node if found.rewrites else None
