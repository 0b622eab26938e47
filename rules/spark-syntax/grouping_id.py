"""Spark's ``grouping__id`` column and argument-less ``grouping_id()``: the grouping id of all
the grouping expressions, which Flink writes ``GROUPING_ID(e1, ..., en)``."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext

_SETS = (exp.Cube, exp.Rollup, exp.GroupingSets)


def _flatten(node: exp.Expr, out: list[exp.Expr]) -> None:
    if isinstance(node, (*_SETS, exp.Tuple)):
        for e in node.expressions:
            _flatten(e, out)
    elif isinstance(node, exp.Paren):
        _flatten(node.this, out)
    else:
        out.append(node)


def grouping_expressions(group: exp.Group) -> list[exp.Expr]:
    """The distinct grouping expressions of ``group`` in the order Spark numbers them."""
    found: list[exp.Expr] = []
    for node in group.expressions:
        _flatten(node, found)
    for key in ("grouping_sets", "cube", "rollup"):
        for node in group.args.get(key) or []:
            _flatten(node, found)
    seen: set[str] = set()
    out = []
    for e in found:
        text = e.sql()
        if text not in seen:
            seen.add(text)
            out.append(e)
    return out


class SparkGroupingId(Rule):
    """Spark names the grouping id of a ``GROUP BY`` with ``GROUPING SETS`` / ``CUBE`` /
    ``ROLLUP`` as a virtual column ``grouping__id`` (or ``grouping_id()`` with no argument):
    the bit vector of all grouping expressions, the first one the most significant bit.  Flink
    has no such column ("Column 'grouping__id' not found") and needs the expressions:
    ``GROUPING_ID(a, b)``, which computes the same bits."""

    id = "SL1117"
    name = "spark-grouping-id-column"
    title = "grouping__id / grouping_id() becomes GROUPING_ID(<every grouping expression>)"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, b, grouping__id FROM t GROUP BY CUBE(a, b)",
            after="SELECT a, b, GROUPING_ID(a, b) FROM t GROUP BY CUBE (a, b)",
        ),
        Example(
            before="SELECT a, grouping_id() AS g FROM t GROUP BY GROUPING SETS ((a), (b)) HAVING grouping__id > 0",
            after="SELECT a, GROUPING_ID(a, b) AS g FROM t GROUP BY GROUPING SETS ((a), (b)) HAVING GROUPING_ID(a, b) > 0",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        group = node.args.get("group")
        if not isinstance(group, exp.Group):
            return None
        # the SELECT's own nodes (the walk the rules on it share), not its whole subtree: a
        # nested query's grouping__id is its own SELECT's
        targets = [
            n
            for n in ctx.own_nodes(node, (exp.Column, exp.GroupingId))
            if (isinstance(n, exp.Column) and not n.table and n.name.lower() == "grouping__id")
            or (isinstance(n, exp.GroupingId) and not n.expressions)
        ]
        if not targets:
            return None
        keys = grouping_expressions(group)
        if not keys:
            return None
        for target in targets:
            target.replace(exp.GroupingId(expressions=[k.copy() for k in keys]))
        return node
