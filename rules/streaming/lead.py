"""LEAD(), which Flink streaming cannot compute."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext


class LeadInStreaming(Rule):
    """Spark's LEAD(x) OVER (... ORDER BY ts) reads the *next* row of the partition.  In a
    stream the next row has not arrived yet, so Flink rejects LEAD in streaming mode ("LEAD
    Function is not supported in stream mode", Flink 2.3 planner); batch mode accepts it.
    LAG works.  Reversing the order (LAG ... ORDER BY ts DESC) is no way out: streaming
    OVER windows must be ordered ascending.  What works is to compute the same adjacent pairs
    from the later row's point of view: LAG on the following row pairs it with its
    predecessor, so each (row, next row) pair is produced when the next row arrives.
    The rule reports an error and leaves the SQL alone (the rewrite changes which row carries
    the pair).
    """

    id = "SL4003"
    name = "lead-in-streaming"
    title = "LEAD() is not supported in Flink streaming: pair rows with LAG() instead"
    node_types = (exp.Lead,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT a, lead(b) OVER (PARTITION BY a ORDER BY ts) AS nb FROM t",
            after="SELECT a, LEAD(b) OVER (PARTITION BY a ORDER BY ts) AS nb FROM t",
            diagnoses=True,
        ),
        Example(
            before="SELECT a, lead(b) OVER (PARTITION BY a ORDER BY ts) AS nb FROM t",
            after="SELECT a, LEAD(b) OVER (PARTITION BY a ORDER BY ts) AS nb FROM t",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Lead)
        window = node.parent if isinstance(node.parent, exp.Window) else node
        ctx.report(
            window,
            "LEAD() is not supported by Flink in streaming mode (the next row has not arrived "
            "when a row is emitted)",
            severity=Severity.ERROR,
            suggestion="compute the pair on the later row instead: LAG(x) OVER (PARTITION BY ... "
            "ORDER BY <event time>) gives each row its predecessor, i.e. the same (row, next row) "
            "pairs as LEAD; ORDER BY ... DESC is not allowed in streaming, so reversing the order "
            "does not work",
        )
        return None
