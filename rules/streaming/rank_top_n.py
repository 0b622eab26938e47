"""RANK / DENSE_RANK filtered Top-N style, which Flink streaming rejects."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

H = pack_module(__file__, "_helpers")


class RankTopNStreaming(Rule):
    """Spark filters ``RANK()`` / ``DENSE_RANK()`` like any column (``WHERE rk <= 3``, or
    ``QUALIFY``).  Flink turns that filter into its Top-N operator, which in streaming mode
    supports only ``ROW_NUMBER()``: the Flink 2.3 planner answers "RANK() on streaming table is
    not supported currently" (batch mode accepts it).  The rule reports an error with the
    ``ROW_NUMBER()`` rewrite; it does not apply it, because ties behave differently (RANK keeps
    every tied row, ROW_NUMBER exactly N).

    Checked on the Flink 2.3 planner: outside the Top-N filter, ``RANK() OVER (PARTITION BY k
    ORDER BY c)`` in a projection is planned as an OVER aggregation (one ascending ORDER BY
    column); those are checked by SL4004.
    """

    id = "SL4002"
    name = "rank-top-n-streaming"
    title = "RANK / DENSE_RANK filtered as a Top-N is rejected in streaming: use ROW_NUMBER"
    node_types = (exp.Window,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT a, b FROM (SELECT a, b, rank() OVER (PARTITION BY a ORDER BY b DESC) AS rk FROM t) WHERE rk <= 3",
            after="SELECT a, b FROM (SELECT a, b, RANK() OVER (PARTITION BY a ORDER BY b DESC) AS rk FROM t) WHERE rk <= 3",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, b FROM t QUALIFY dense_rank() OVER (PARTITION BY a ORDER BY b DESC) = 1",
            after="SELECT a, b FROM (SELECT a, b, DENSE_RANK() OVER (PARTITION BY a ORDER BY b DESC) AS _w FROM t) AS _q WHERE _w = 1",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, b FROM (SELECT a, b, rank() OVER (PARTITION BY a ORDER BY b DESC) AS rk FROM t) WHERE rk <= 3",
            after="SELECT a, b FROM (SELECT a, b, RANK() OVER (PARTITION BY a ORDER BY b DESC) AS rk FROM t) WHERE rk <= 3",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Window)
        if not isinstance(node.this, (exp.Rank, exp.DenseRank)):
            return None
        found = H.top_n_filter(node)
        if found is None:
            return None
        fn = "DENSE_RANK" if isinstance(node.this, exp.DenseRank) else "RANK"
        ctx.report(
            node,
            f"{fn}() filtered as a {found.ranks.label} is not supported by Flink in streaming mode "
            "(only ROW_NUMBER() is)",
            severity=Severity.ERROR,
            suggestion=f"use ROW_NUMBER() instead of {fn}(): tied rows then get distinct numbers, "
            "so exactly N rows per key are kept (add a tie-breaker to the ORDER BY to make the choice "
            "deterministic)",
        )
        return None
