"""SHA2 without its digest size: Snowflake's default, 256 bits."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext

#: readers whose ``SHA2(x)`` means a 256-bit digest (Spark, Databricks and Redshift require the size)
_DEFAULT_256 = frozenset({"snowflake"})


class Sha2DefaultLength(Rule):
    """Snowflake's ``SHA2(msg)`` is ``SHA2(msg, 256)``: the digest size defaults to 256 and the
    result is the lower-case hex text, as Flink's ``SHA2(string, hashLength)``, which requires
    the size (the planner refuses ``SHA2(s)``; SL9004 reported it: gitlab-dbt-analytics, 77
    tables and 28 blocked behind them).  Spark, Databricks and Redshift require the size
    themselves; their one-argument call stays SL9004's."""

    id = "SL1131"
    name = "sha2-default-length"
    title = "Snowflake SHA2(x) becomes SHA2(x, 256), its default digest size"
    node_types = (exp.SHA2,)
    examples = (
        Example(before="SELECT SHA2(s) AS h FROM t", after="SELECT SHA2(s, 256) AS h FROM t", read="snowflake"),
        Example(before="SELECT SHA2(s, 512) AS h FROM t", after="SELECT SHA2(s, 512) AS h FROM t", read="snowflake"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read not in _DEFAULT_256 or node.args.get("length") is not None:
            return None
        node.set("length", exp.Literal.number(256))
        return node
