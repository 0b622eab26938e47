"""ROW_NUMBER() filtered to the first row(s) per key: Flink's deduplication or Top-N."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

H = pack_module(__file__, "_helpers")

_EVENT_TIME = {"t": "ts"}


class DedupTopN(Rule):
    """Spark evaluates ``ROW_NUMBER() OVER (PARTITION BY k ORDER BY c) ... WHERE rn = 1`` (or
    ``QUALIFY``, or ``rn <= N``) once over a finished table.  Flink streaming recognises the
    same shape and plans it incrementally, with a result whose changelog depends on the order:

    * ordered by the **event-time attribute** and filtered ``= 1``: *deduplication*.  Keep-last
      (``DESC``) emits a new row for ``k`` whenever a later event arrives and retracts the old
      one: an **updating** result that needs an upsert sink keyed on ``k``.  Keep-first
      (``ASC``) is **insert-only** (the first row per key never changes).
    * anything else (a non-time column, or ``<= N`` with N > 1): *Top-N*.  Flink keeps the top
      rows of every key in state and emits updates whenever the ranking changes, an updating
      result with state per key.  When the intent was "latest row per key", ordering by the
      event-time column turns it into the cheaper deduplication.

    The SQL is left as it is (Flink accepts it, checked on the Flink 2.3 planner); the rule
    says which operator Flink will use and what kind of sink it needs.  Without a declared
    event-time column for the query's tables the rule cannot tell the two apart and stays
    silent.  A ranking window without ORDER BY is rejected by Flink and reported as an error.
    """

    id = "SL4001"
    name = "dedup-top-n"
    title = "ROW_NUMBER() = 1 / <= N is Flink deduplication (event time) or an updating Top-N"
    node_types = (exp.Window,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT a, b FROM (SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1",
            after="SELECT a, b FROM (SELECT a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, b FROM t QUALIFY row_number() OVER (PARTITION BY a ORDER BY ts) = 1",
            after="SELECT a, b FROM (SELECT a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts) AS _w FROM t) AS _q WHERE _w = 1",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, b FROM (SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY b DESC) AS rn FROM t) WHERE rn <= 3",
            after="SELECT a, b FROM (SELECT a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) AS rn FROM t) WHERE rn <= 3",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="WITH r AS (SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) SELECT a, b FROM r WHERE rn < 4",
            after="WITH r AS (SELECT a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) SELECT a, b FROM r WHERE rn < 4",
            diagnoses=True,
            event_time=_EVENT_TIME,
        ),
        Example(
            before="SELECT a, b FROM (SELECT a, b, row_number() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1",
            after="SELECT a, b FROM (SELECT a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1",
            mode=Mode.BATCH,
            event_time=_EVENT_TIME,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Window)
        if not isinstance(node.this, exp.RowNumber):
            return None
        found = H.top_n_filter(node)
        if found is None:
            return None
        keys = [ctx.sql(k) for k in node.args.get("partition_by") or []]
        per_key = f"per {', '.join(keys)}" if keys else "over the whole stream (no PARTITION BY: one task)"
        sink_key = ", ".join(keys) if keys else "the rank"
        order = node.args.get("order")
        ordered = order.expressions if order is not None else []
        if not ordered:
            ctx.report(
                node,
                "ROW_NUMBER() without ORDER BY: Flink rejects a ranking function with no order",
                severity=Severity.ERROR,
                suggestion="order by the event-time column: ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC)",
            )
            return None
        first = ordered[0]
        on_time = (
            len(ordered) == 1
            and isinstance(first.this, exp.Column)
            and ctx.is_event_time(first.this)
        )
        if on_time and found.ranks.top1:
            if first.args.get("desc"):
                ctx.report(
                    node,
                    f"deduplication keep-last row {per_key} (ROW_NUMBER ordered by the event time "
                    f"DESC, = 1): Flink emits an updating result (a later event replaces the kept "
                    f"row); it needs an upsert sink keyed on {sink_key}",
                    severity=Severity.INFO,
                    suggestion=f"declare PRIMARY KEY ({sink_key}) NOT ENFORCED on an upsert sink "
                    "(upsert-kafka, JDBC), or keep the first row (ORDER BY ts ASC) for an insert-only result",
                )
            else:
                ctx.report(
                    node,
                    f"deduplication keep-first row {per_key} (ROW_NUMBER ordered by the event time "
                    "ASC, = 1): Flink emits an insert-only result (the first row never changes)",
                    severity=Severity.INFO,
                )
            return None
        if on_time:
            ctx.report(
                node,
                f"{found.ranks.label} {per_key} ordered by the event time: Flink keeps {found.n} rows per "
                f"key in state and emits an updating result; it needs an upsert sink keyed on "
                f"{sink_key} and the rank",
                severity=Severity.INFO,
            )
            return None
        if not H.any_event_time(node, ctx):
            return None
        ctx.report(
            node,
            f"{found.ranks.label} {per_key} ordered by {', '.join(ctx.sql(o) for o in ordered)}, not "
            "by the event-time attribute: Flink plans a Top-N operator that keeps rows of every "
            "key in state and emits an updating result (retractions whenever the ranking changes)",
            severity=Severity.WARNING,
            suggestion="if the intent is the latest / first row per key, order by the event-time "
            "column (deduplication: less state, insert-only when ASC); otherwise write to an upsert "
            f"sink keyed on {sink_key}",
        )
        return None
