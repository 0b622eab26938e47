"""Regular (non-interval, non-temporal) joins in streaming keep both inputs in state forever."""

from __future__ import annotations

from itertools import islice

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module

H = pack_module(__file__, "_helpers")

#: inputs named in the suggested STATE_TTL hint at most
_HINT_INPUTS = 8


class RegularJoinState(Rule):
    """Spark joins two finished tables.  Flink streaming joins two unbounded inputs: a regular
    join (``a JOIN b ON a.k = b.k``, and the outer variants) must remember every row of both
    sides forever, since a matching row may still arrive; its state grows without bound and
    outer joins emit updates.  Flink has two bounded forms: the *interval join* (a range
    condition between both sides' event times, ``b.ts BETWEEN a.ts AND a.ts + INTERVAL '1'
    HOUR``), and the *temporal join* (``JOIN dim FOR SYSTEM_TIME AS OF a.ts``) against a
    versioned table.  Which form fits is a modelling decision, so the rule does not rewrite: it
    warns and suggests a state TTL per input (``/*+ STATE_TTL('a' = '1d', 'b' = '1d') */``) or
    the job-wide ``table.exec.state.ttl``, or one of the bounded joins.  Joins with a range
    condition between columns of both sides, temporal joins, UNNEST / LATERAL and semi / anti
    joins are not reported.
    """

    id = "SL4009"
    name = "regular-join-state"
    title = "Regular joins in streaming keep both inputs in state forever: set a state TTL"
    node_types = (exp.Join,)
    modes = frozenset({Mode.STREAMING})
    examples = (
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a",
            diagnoses=True,
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL 1 HOUR",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a AND r.ts BETWEEN l.ts AND l.ts + INTERVAL '1' HOUR",
        ),
        Example(
            before="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a",
            after="SELECT l.a, r.b FROM t AS l JOIN t AS r ON l.a = r.a",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Join)
        found = H.regular_join_sides(node, ctx.memo)
        if found is None or ctx.streaming.state_ttl:
            return None  # with a configured TTL, SL4013 adds the hint instead
        left, right = found
        # Name every input of a short join; a long chain's first few (the suggestion stays
        # short, and n joins cost O(n), not O(n^2)).
        few = list(islice(left, _HINT_INPUTS + 1))
        inputs = sorted({*few, *right}) if len(few) <= _HINT_INPUTS else [*few[: _HINT_INPUTS - 1], *right, "..."]
        hint = ", ".join("..." if n == "..." else f"'{n}' = '1d'" for n in inputs) or "'t' = '1d'"
        ctx.report(
            node,
            "regular join in streaming: Flink keeps every row of both inputs in state forever (a "
            "match may still arrive), so state grows without bound"
            + ("; an outer join also emits updates" if node.args.get("side") else ""),
            severity=Severity.WARNING,
            suggestion=f"bound the state: a hint SELECT /*+ STATE_TTL({hint}) */ ..., or SET "
            "'table.exec.state.ttl' = '1 d'; or use an interval join (a BETWEEN on both event "
            "times) or a temporal join (JOIN dim FOR SYSTEM_TIME AS OF a.ts) when it fits",
        )
        return None
