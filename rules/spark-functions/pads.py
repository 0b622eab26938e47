"""Spark's lpad / rpad: the default pad, negative lengths, empty pads."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext


def _non_negative(node: exp.Expr) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit()


class SparkPad(Rule):
    """Spark's ``lpad(s, n[, pad])`` / ``rpad`` and Flink's LPAD / RPAD differ in three ways
    (checked on PySpark 4 and Flink 2.3): Spark pads with a space when no pad is given, Flink
    requires the pad (the planner rejects two arguments); a negative length gives '' in Spark,
    an error or NULL in Flink; an empty pad returns ``s`` cut to ``n`` characters in Spark and
    fails in Flink.  The rule writes the space, clamps a length that is not a non-negative
    literal with ``GREATEST(n, 0)``, and cuts with ``LEFT(s, n)`` when the pad is empty (a
    CASE when the pad is not a literal)."""

    id = "SL1097"
    name = "spark-pad"
    title = "lpad / rpad get Spark's default pad (a space), negative lengths and empty pads"
    node_types = (exp.Pad,)
    examples = (
        Example(before="SELECT lpad(s, 5) FROM t", after="SELECT LPAD(s, 5, ' ') FROM t"),
        Example(before="SELECT rpad(s, n, '*') FROM t", after="SELECT RPAD(s, GREATEST(n, 0), '*') FROM t"),
        Example(before="SELECT lpad(s, 5, '*') FROM t", after="SELECT LPAD(s, 5, '*') FROM t"),
        Example(
            before="SELECT lpad(s, 5, s2) FROM t",
            after="SELECT CASE WHEN s2 = '' THEN LEFT(s, 5) ELSE LPAD(s, 5, s2) END FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        length, pad = node.expression, node.args.get("fill_pattern")
        if length is None:
            return None
        pad = pad if pad is not None else exp.Literal.string(" ")
        if not _non_negative(length):
            length = exp.Greatest(this=length.copy(), expressions=[exp.Literal.number(0)], ignore_nulls=False)
        padded = exp.Pad(this=node.this.copy(), expression=length.copy(), fill_pattern=pad.copy(),
                         is_left=node.args.get("is_left"))
        cut = exp.Left(this=node.this.copy(), expression=length.copy())
        if isinstance(pad, exp.Literal) and pad.is_string:
            return cut if pad.this == "" else padded
        empty = exp.EQ(this=pad.copy(), expression=exp.Literal.string(""))
        return exp.Case(ifs=[exp.If(this=empty, true=cut)], default=padded)
