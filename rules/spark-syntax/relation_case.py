"""A table or view of the script named with other letter case than it was created with."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import cte_named


class ScriptRelationCase(Rule):
    """Spark resolves table and view names case-insensitively: ``CREATE VIEW EMP ...`` is read
    back by ``FROM emp``.  Flink's names are case-sensitive ("Object 'emp' not found ...; did
    you mean 'EMP'?").  A reference to a table or view created earlier in the same script is
    written the way the script created it, and a reference to a CTE (``WITH aBc AS (...)
    SELECT * FROM abc``) the way its WITH names it (the nearest WITH, as CTEs shadow).
    (Relations of other scripts and catalogs are not known here; their names are kept as
    written.)"""

    id = "SL1119"
    name = "script-relation-case"
    title = "A table or view of the script is referenced with the letter case it was created with"
    node_types = (exp.Table,)
    examples = (
        Example(
            before="CREATE TEMPORARY VIEW EMP AS SELECT * FROM VALUES (1) AS t(id); SELECT id FROM emp",
            after="CREATE TEMPORARY VIEW EMP AS SELECT * FROM (VALUES (1)) AS t(id);\nSELECT id FROM EMP",
        ),
        Example(
            before="WITH abc AS (SELECT 1 AS x), t AS (WITH aBc AS (SELECT 2 AS x) SELECT * FROM ABC) SELECT * FROM t",
            after="WITH abc AS (SELECT 1 AS x), t AS (WITH aBc AS (SELECT 2 AS x) SELECT * FROM aBc) SELECT * FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Table)
        if node.args.get("db") or not isinstance(node.this, exp.Identifier):
            return None
        cte = cte_named(node)  # a CTE of the statement shadows the script's relation
        written = cte.alias_or_name if cte is not None else ctx.script_relations.get(node.name.lower())
        if written is None or written == node.name:
            return None
        table = node.copy()
        table.set("this", exp.to_identifier(written, quoted=node.this.quoted))
        return table
