"""Joins written without a condition, which Flink refuses."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext


class JoinWithoutCondition(Rule):
    """An INNER or LEFT join without a condition: Snowflake's ``INNER JOIN seq`` (a cross
    join), BigQuery's ``LEFT JOIN UNNEST(arr) AS x`` (the element is correlated with its row
    already), Spark's ``a LEFT JOIN b``.  Flink requires a condition on any INNER / LEFT join
    ("INNER, LEFT, RIGHT or FULL join requires a condition") and writes the same join with
    ``ON TRUE`` (checked on Flink 2.3, streaming and batch, over tables, subqueries and
    UNNEST).  A NATURAL join, a comma join or a CROSS JOIN needs none."""

    id = "SL3036"
    name = "join-without-condition"
    title = "an INNER / LEFT join without a condition gets ON TRUE"
    node_types = (exp.Join,)
    examples = (
        Example(
            before="SELECT a, e FROM t LEFT JOIN UNNEST(arr) AS e",
            after="SELECT a, e FROM t LEFT JOIN UNNEST(arr) AS _t0(e) ON TRUE",
            read="bigquery",
        ),
        Example(
            before="SELECT t.a, dim.v FROM t INNER JOIN dim",
            after="SELECT t.a, dim.v FROM t INNER JOIN dim ON TRUE",
            read="snowflake",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Join)
        if node.args.get("on") is not None or node.args.get("using") or node.method:
            return None
        if node.side != "LEFT" and (node.side or node.kind != "INNER"):
            return None  # a comma join or CROSS JOIN needs none; RIGHT / FULL: left to the planner
        node.set("on", exp.true())
        return node


class CrossJoinWithCondition(Rule):
    """Spark reads ``a CROSS JOIN b ON cond`` as an inner join on ``cond``.  Flink refuses a
    condition after CROSS JOIN ("Cannot specify condition (NATURAL keyword, or ON or USING
    clause) following CROSS JOIN"), so the join is written ``INNER JOIN ... ON cond``."""

    id = "SL1125"
    name = "cross-join-condition"
    title = "CROSS JOIN ... ON / USING becomes INNER JOIN"
    node_types = (exp.Join,)
    examples = (
        Example(
            before="SELECT * FROM t CROSS JOIN dim ON (t.a = dim.k)",
            after="SELECT * FROM t INNER JOIN dim ON (t.a = dim.k)",
        ),
        Example(before="SELECT * FROM t CROSS JOIN dim", after="SELECT * FROM t CROSS JOIN dim"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Join)
        if (node.kind or "").upper() != "CROSS" or (node.args.get("on") is None and not node.args.get("using")):
            return None
        node.set("kind", "INNER")
        return node
