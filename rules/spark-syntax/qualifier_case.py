"""Table qualifiers whose case differs from their alias: Spark ignores it, Flink does not."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import own_nodes


class QualifierCase(Rule):
    """Spark (and DuckDB, Hive, Databricks) compare unquoted identifiers case-insensitively, so
    ``FROM (...) CATALOG WHERE catalog.rank <= 10`` works there.  Flink compares them
    case-sensitively and reports ``Table 'catalog' not found``.  The rule spells every column
    qualifier exactly as the table alias or name it refers to in its SELECT.  Quoted
    identifiers are case-sensitive in both and are left alone.  (Found in TPC-DS q49.)
    """

    id = "SL3006"
    name = "qualifier-case"
    title = "Column qualifiers are spelled like their table alias (Flink is case-sensitive)"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT catalog.a FROM (SELECT a FROM t) CATALOG WHERE catalog.a > 1",
            after="SELECT CATALOG.a FROM (SELECT a FROM t) AS CATALOG WHERE CATALOG.a > 1",
        ),
        Example(before="SELECT T.a FROM t", after="SELECT t.a FROM t"),
        Example(before="SELECT x.a FROM t AS x", after="SELECT x.a FROM t AS x"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        spelled: dict[str, str] = {}
        for source in [node.args.get("from_"), *(node.args.get("joins") or [])]:
            if source is None:
                continue
            table = source.this
            alias = table.args.get("alias")
            ident = alias.this if alias is not None and alias.this is not None else (
                table.this if isinstance(table, exp.Table) else None
            )
            if isinstance(ident, exp.Identifier) and not ident.quoted:
                spelled.setdefault(ident.name.lower(), ident.name)
        if not spelled:
            return None
        changed = False
        # The columns whose nearest SELECT is this one: its tree without nested SELECTs (each
        # is visited on its own), so nested queries cost linear time, not quadratic.
        for column in own_nodes(node, exp.Column):
            qualifier = column.args.get("table")
            if not isinstance(qualifier, exp.Identifier) or qualifier.quoted:
                continue
            wanted = spelled.get(qualifier.name.lower())
            if wanted is not None and wanted != qualifier.name:
                qualifier.set("this", wanted)
                changed = True
        return node if changed else None
