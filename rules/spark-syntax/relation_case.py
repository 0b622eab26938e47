"""A table or view of the script named with other letter case than it was created with."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext


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
        cte = _nearest_cte(node, node.name.lower())
        written = cte if cte is not None else ctx.script_relations.get(node.name.lower())
        if written is None or written == node.name:
            return None
        if cte is None and _cte_named(node, node.name.lower()):
            return None  # a CTE of the statement shadows the script's relation
        table = node.copy()
        table.set("this", exp.to_identifier(written, quoted=node.this.quoted))
        return table


def _nearest_cte(node: exp.Expr, name: str) -> str | None:
    """The spelling of the CTE named ``name`` (lower case) that ``node`` reads: the one of
    the nearest enclosing WITH that has it; None when no WITH around ``node`` does."""
    parent = node.parent
    while parent is not None:
        with_ = parent.args.get("with_") if isinstance(parent, exp.Query) else None
        if isinstance(with_, exp.With):
            for cte in with_.expressions:
                if cte.alias_or_name.lower() == name:
                    return cte.alias_or_name
        parent = parent.parent
    return None


def _cte_named(node: exp.Expr, name: str) -> bool:
    root = node.root()
    return any(c.alias_or_name.lower() == name for c in root.find_all(exp.CTE))
