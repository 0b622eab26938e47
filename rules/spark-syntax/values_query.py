"""A VALUES list used as a whole query with a table alias: ``CREATE VIEW v AS VALUES (1, 'a')
t(id, name)``.  Flink reads a VALUES query only without an alias: it becomes ``SELECT * FROM
(VALUES ...) AS t(id, name)``."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext


def _unparenthesized_alias(node: exp.Expr) -> exp.Values | None:
    """Spark's ``VALUES 0, 1, 2 AS t(id)`` (rows without parentheses) is read with the table
    alias inside the last row (``(2 AS t)``) and the columns on a made-up alias: the alias is
    put back on the VALUES (a row of an inline table has no aliases of its own)."""
    rows = node.expressions
    last = rows[-1] if rows else None
    cell = last.expressions[-1] if isinstance(last, exp.Tuple) and last.expressions else last
    if not isinstance(cell, exp.Alias):
        return None
    values = node.copy()
    last_copy = values.expressions[-1]
    cell_copy = last_copy.expressions[-1] if isinstance(last_copy, exp.Tuple) else last_copy
    old = values.args.get("alias")
    columns = [c.copy() for c in old.columns] if isinstance(old, exp.TableAlias) else []
    values.set("alias", exp.TableAlias(this=exp.to_identifier(cell_copy.alias), columns=columns))
    cell_copy.replace(cell_copy.this)
    return values


class AliasedValuesQuery(Rule):
    """Spark accepts an aliased ``VALUES`` list as a query on its own (the body of a view, a
    CTE, a side of a UNION, a whole statement): the alias names the columns.  Flink's parser
    rejects the alias there ('Encountered "AS"'); the same rows and column names are the
    query ``SELECT * FROM (VALUES ...) AS t(c1, ...)``."""

    id = "SL1118"
    name = "aliased-values-query"
    title = "An aliased VALUES used as a query becomes SELECT * FROM (VALUES ...) AS t(...)"
    node_types = (exp.Values,)
    examples = (
        Example(
            before="CREATE TEMPORARY VIEW v AS VALUES (1, 'a'), (2, 'b') t(id, name)",
            after="CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)",
        ),
        Example(
            before="CREATE TEMPORARY VIEW v AS SELECT * FROM VALUES 0, 1, 2 AS t(id)",
            after="CREATE TEMPORARY VIEW v AS SELECT * FROM (VALUES (0), (1), (2)) AS t(id)",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        repaired = _unparenthesized_alias(node)
        values = repaired if repaired is not None else node
        if not isinstance(values.args.get("alias"), exp.TableAlias):
            return repaired
        parent = node.parent
        as_query = parent is None or (
            (isinstance(parent, (exp.Create, exp.Insert)) and node.arg_key == "expression")
            or isinstance(parent, (exp.SetOperation, exp.CTE))
            or (isinstance(parent, exp.Subquery) and not isinstance(parent.parent, (exp.From, exp.Join)))
        )
        if not as_query:
            return repaired
        return exp.Select(expressions=[exp.Star()], from_=exp.From(this=values.copy()))
