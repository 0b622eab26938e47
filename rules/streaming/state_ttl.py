"""Bound the state of regular joins with the state TTL the user configured."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.streaming.options import StreamingOptions

H = pack_module(__file__, "_helpers")

_TTL = StreamingOptions(state_ttl="1d")


class StateTtlHint(Rule):
    """A regular join in a streaming job keeps both inputs in state forever (see SL4009).  When
    the user sets a state TTL (``streaming=StreamingOptions(state_ttl="1d")`` /
    ``--state-ttl 1d``), every SELECT with regular joins gets Flink's ``STATE_TTL`` query hint
    for all of its join inputs, so state older than the TTL is dropped: results can then miss
    matches between rows further apart than the TTL, which is the trade-off the user chose.
    A SELECT that already has hints is left alone.

    https://nightlies.apache.org/flink/flink-docs-release-2.0/docs/dev/table/sql/queries/hints/#state-ttl-hints
    """

    id = "SL4013"
    name = "state-ttl-hint"
    title = "Regular joins get the configured STATE_TTL hint"
    node_types = (exp.Select,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a",
            after="SELECT /*+ STATE_TTL('l' = '1d', 'r' = '1d') */ l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a",
            diagnoses=True,
            streaming=_TTL,
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL 1 HOUR",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL '1' HOUR",
            streaming=_TTL,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        ttl = ctx.streaming.state_ttl
        if not ttl or node.args.get("hint") is not None:
            return None
        # The inputs of every regular join, in the order of the joins (each join's new names
        # sorted); one pass over the SELECT's inputs, so n joins cost O(n).
        inputs: dict[str, None] = {}
        covered = 0
        for join in node.args.get("joins") or []:
            found = H.regular_join_sides(join, ctx.memo)
            index = H.join_inputs(join, ctx.memo)
            if found is None or index is None:
                continue
            end = index.position(join) + 1
            new = {n for n in index.names[covered:end] if n and n not in inputs} | (found[1] - inputs.keys())
            inputs.update(dict.fromkeys(sorted(new)))
            covered = max(covered, end)
        if not inputs:
            return None
        pairs = ", ".join(f"'{name}' = '{ttl}'" for name in inputs)
        hint = sqlglot.parse_one(f"SELECT /*+ STATE_TTL({pairs}) */ 1", read="flink").args["hint"]
        node.set("hint", hint)
        ctx.report(
            node,
            f"state of the join inputs {', '.join(inputs)} expires after {ttl} (STATE_TTL hint)",
            severity=Severity.INFO,
        )
        return node
