"""GROUP BY select-list aliases and ordinals, which Spark resolves and Flink does not."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import bare_copy, own_nodes
from shiftleft.tree import find_all


def _input_column_names(select: exp.Select, ctx: RuleContext) -> set[str]:
    """Names known to be input columns: from the schema, or referenced in the select itself
    (not in its HAVING / ORDER BY, which may name the alias too: ``GROUP BY k HAVING k > 1``)."""
    names = {
        c.name.lower()
        for c in find_all(select, exp.Column)
        if c.find_ancestor(exp.Group, exp.Having, exp.Order) is None and c.parent_select is select
    }
    for table in find_all(select, exp.Table):
        names.update(col.lower() for col in ctx.schema.get(table.name, {}))
    return names


class GroupByAliasOrOrdinal(Rule):
    """Spark resolves ``GROUP BY u`` to the select-list expression aliased ``u`` (when no input
    column is called ``u``) and ``GROUP BY 1`` to the first select-list expression.  Flink's
    planner does neither: it reports an unknown column, or groups by the constant ``1``.  The
    rule writes the expression itself into the GROUP BY.

    When an alias has the name of an input column, Spark groups by the input column, so the
    rule leaves it alone.  A HAVING naming an alias the GROUP BY now writes as its expression
    (``GROUP BY k HAVING k > 1``) names the expression too: Flink resolves neither.
    """

    id = "SL3005"
    name = "group-by-alias-or-ordinal"
    title = "GROUP BY on a select alias or position becomes GROUP BY the expression"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT upper(s) AS u, count(*) AS c FROM t GROUP BY u",
            after="SELECT UPPER(s) AS u, COUNT(*) AS c FROM t GROUP BY UPPER(s)",
        ),
        Example(
            before="SELECT a, d, sum(b) FROM t GROUP BY 1, 2",
            after="SELECT a, d, SUM(b) FROM t GROUP BY a, d",
        ),
        Example(
            before="SELECT a + 1 AS a, count(*) FROM t GROUP BY a",
            after="SELECT a + 1 AS a, COUNT(*) FROM t GROUP BY a",
        ),
        Example(
            before="SELECT a + b AS k, b, sum(n) FROM t GROUP BY CUBE(k, b)",
            after="SELECT a + b AS k, b, SUM(n) FROM t GROUP BY CUBE (a + b, b)",
        ),
        Example(
            before="SELECT a AS k, count(b) FROM t GROUP BY k HAVING k > 1",
            after="SELECT a AS k, COUNT(b) FROM t GROUP BY a HAVING a > 1",
        ),
        Example(
            before="SELECT a, count(*) FROM t GROUP BY 3",
            after="SELECT a, COUNT(*) FROM t GROUP BY 3",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        group = node.args.get("group")
        if group is None or not group.expressions:
            return None
        projections = node.expressions
        aliases = {p.alias.lower(): p.this for p in projections if isinstance(p, exp.Alias)}
        inputs: set[str] | None = None  # computed only when a key names an alias
        grouped: set[str] = set()  # the aliases grouped by their expression
        changed = False
        for key in _keys(group):
            replacement: exp.Expr | None = None
            if isinstance(key, exp.Literal) and key.is_int:
                position = int(key.this)
                if 1 <= position <= len(projections):
                    target = projections[position - 1]
                    replacement = target.this if isinstance(target, exp.Alias) else target
                else:
                    ctx.report(
                        key,
                        f"GROUP BY {position} refers to no select-list position (there are "
                        f"{len(projections)})",
                        severity=Severity.ERROR,
                        suggestion="group by an expression",
                    )
                    continue
            elif isinstance(key, exp.Column) and not key.table:
                name = key.name.lower()
                if name in aliases:
                    if inputs is None:
                        inputs = _input_column_names(node, ctx)
                    if name not in inputs:
                        replacement = aliases[name]
                        grouped.add(name)
            if replacement is not None and not isinstance(replacement, exp.Star):
                key.replace(replacement.copy())
                changed = True
        having = node.args.get("having")
        if grouped and having is not None:  # the HAVING naming a grouped alias (SL3028 sees no more)
            for column in own_nodes(having, exp.Column):
                if isinstance(column, exp.Column) and not column.table and column.name.lower() in grouped:
                    column.replace(aliases[column.name.lower()].copy())
        return node if changed else None


def _keys(group: exp.Group) -> list[exp.Expr]:
    """The grouping keys, those inside CUBE / ROLLUP / GROUPING SETS included (Spark resolves
    aliases and positions there too)."""
    keys: list[exp.Expr] = []
    for key in group.expressions:
        if isinstance(key, (exp.Cube, exp.Rollup, exp.GroupingSets)):
            for inner in key.expressions:
                if isinstance(inner, exp.Paren):  # a set of one key: GROUPING SETS ((k), (k, b))
                    inner = inner.this
                keys.extend(inner.expressions if isinstance(inner, exp.Tuple) else [inner])
        else:
            keys.append(key)
    return keys


def _aggregating(projection: exp.Expr) -> bool:
    """The projection uses an aggregate or a window function (GROUP BY ALL leaves it out)."""
    return bool(own_nodes(projection, (exp.AggFunc, exp.Window)))


class GroupByAll(Rule):
    """Snowflake's, Databricks' and DuckDB's ``GROUP BY ALL`` groups by every item of the
    SELECT list that uses no aggregate (or window) function.  Flink has no GROUP BY ALL (its
    parser fails on it), so the rule writes those items' expressions into the GROUP BY
    (constants are left out: they do not split groups; with nothing left the query becomes a
    whole-table aggregate, with a warning about an empty input).  A ``*`` in the SELECT list cannot be
    listed without the input's columns and is reported.
    """

    id = "SL3026"
    name = "group-by-all"
    title = "GROUP BY ALL becomes GROUP BY every non-aggregate item of the SELECT list"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, upper(s) AS u, 'x' AS k, count(*) AS n, max(b) + 1 AS m FROM t GROUP BY ALL",
            after="SELECT a, UPPER(s) AS u, 'x' AS k, COUNT(*) AS n, MAX(b) + 1 AS m FROM t GROUP BY a, UPPER(s)",
            read="snowflake",
        ),
        Example(
            before="SELECT *, count(*) AS n FROM t GROUP BY ALL", read="snowflake",
            after="SELECT *, COUNT(*) AS n FROM t GROUP BY ALL", diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        group = node.args.get("group")
        if group is None or not group.args.get("all"):
            return None
        if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
               for p in node.expressions):
            ctx.report(
                group,
                "GROUP BY ALL over a SELECT * cannot be expanded without the input's columns",
                severity=Severity.ERROR,
                suggestion="list the grouping columns: GROUP BY a, b, ...",
            )
            return None
        keys = []
        for projection in node.expressions:
            value = projection.this if isinstance(projection, exp.Alias) else projection
            if _aggregating(value) or not own_nodes(value, exp.Column):
                continue
            keys.append(bare_copy(value))
        if not keys:  # only aggregates and constants: one group
            ctx.report(
                group,
                "GROUP BY ALL with no item to group by became a whole-table aggregate: on an empty "
                "input Flink gives one row (COUNT(*) = 0) where a grouped query gives none",
                severity=Severity.WARNING,
            )
        node.set("group", exp.Group(expressions=keys) if keys else None)
        return node


class GroupByWithCube(Rule):
    """Hive's and Spark's ``GROUP BY a, b WITH CUBE`` / ``WITH ROLLUP`` are the old spellings
    of ``GROUP BY CUBE (a, b)`` / ``ROLLUP (a, b)``.  Flink's parser knows only the second
    ("Encountered WITH"), so the keys move into the CUBE / ROLLUP."""

    id = "SL1123"
    name = "group-by-with-cube"
    title = "GROUP BY ... WITH CUBE / WITH ROLLUP becomes GROUP BY CUBE (...) / ROLLUP (...)"
    node_types = (exp.Group,)
    examples = (
        Example(
            before="SELECT a, b, sum(n) FROM t GROUP BY a, b WITH ROLLUP",
            after="SELECT a, b, SUM(n) FROM t GROUP BY ROLLUP (a, b)",
        ),
        Example(
            before="SELECT a + b, b, sum(n) FROM t GROUP BY a + b, b WITH CUBE",
            after="SELECT a + b, b, SUM(n) FROM t GROUP BY CUBE (a + b, b)",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Group)
        for arg, kind in (("cube", exp.Cube), ("rollup", exp.Rollup)):
            marks = node.args.get(arg) or []
            if len(marks) == 1 and isinstance(marks[0], kind) and not marks[0].expressions and node.expressions:
                keys = [k.pop() for k in list(node.expressions)]
                node.set(arg, None)
                node.set("expressions", [kind(expressions=keys)])
                return node
        return None
