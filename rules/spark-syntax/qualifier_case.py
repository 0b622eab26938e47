"""Table qualifiers whose case differs from their alias: Spark ignores it, Flink does not."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import ctes_by_name


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
        for column in ctx.own_nodes(node, exp.Column):
            qualifier = column.args.get("table")
            if not isinstance(qualifier, exp.Identifier) or qualifier.quoted:
                continue
            wanted = spelled.get(qualifier.name.lower())
            if wanted is not None and wanted != qualifier.name:
                qualifier.set("this", wanted)
                changed = True
        return node if changed else None


def _spellings(columns: dict[str, str] | list[str]) -> dict[str, str]:
    """lower-case name -> the declared spelling, for names declared once in any case."""
    found: dict[str, str | None] = {}
    for name in columns:
        key = name.lower()
        found[key] = None if key in found and found[key] != name else name
    return {k: v for k, v in found.items() if v is not None}


class ColumnCase(Rule):
    """Spark (and Snowflake, Databricks, Hive, DuckDB) resolve unquoted column names without
    regard to case, so ``select ID from t`` reads a column declared ``id``; Flink resolves them
    case-sensitively and reports ``Column 'ID' not found``.  The rule spells each column as the
    table it reads declares it (``schema=``, the columns of a migrated parent model, or the
    output names of a CTE or subquery), where that table is known; quoted names, and columns
    of tables whose columns are not known, are left alone.  A name that is also a select-list
    alias is the column in the SELECT list and WHERE (as in Spark), the alias elsewhere.
    """

    id = "SL3020"
    name = "column-case"
    title = "Column names are spelled as their table declares them (Flink is case-sensitive)"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT A, t.S FROM t WHERE FLAG",
            after="SELECT a, t.s FROM t WHERE flag",
            types={"t": {"a": "int", "s": "string", "flag": "boolean"}},
        ),
        Example(
            before="WITH c AS (SELECT a AS Order_Id FROM t) SELECT order_id FROM c",
            after="WITH c AS (SELECT a AS Order_Id FROM t) SELECT Order_Id FROM c",
            types={"t": {"a": "int"}},
        ),
        Example(before="SELECT a, s FROM t", after="SELECT a, s FROM t"),
        Example(  # the column read, not the alias of the same name (fivetran salesforce)
            before="WITH f AS (SELECT s FROM t) SELECT CAST(S AS STRING) AS s FROM f",
            after="WITH f AS (SELECT s FROM t) SELECT CAST(s AS STRING) AS s FROM f",
            types={"t": {"s": "string"}},
        ),
    )

    def _columns_of(self, table: exp.Expr, ctes: dict[str, exp.Expr], ctx: RuleContext) -> dict[str, str] | None:
        if isinstance(table, exp.Table) and not table.args.get("db"):
            cte = ctes.get(table.name.lower())
            if cte is not None:
                return _output_names(cte)
        if isinstance(table, exp.Table):
            return _schema_spellings(ctx).get(table.name.lower())
        if isinstance(table, exp.Subquery):
            return _output_names(table.this)
        return None

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        ctes = {name: cte.this for name, cte in ctes_by_name(node).items()}
        by_source: dict[str, dict[str, str]] = {}
        all_known = True
        for source in [node.args.get("from_"), *(node.args.get("joins") or [])]:
            if source is None:
                continue
            table = source.this
            columns = self._columns_of(table, ctes, ctx)
            if columns is None:
                all_known = False
                continue
            by_source[table.alias_or_name.lower()] = columns
        if not by_source:
            return None
        merged: dict[str, str] = {}
        for columns in by_source.values():
            for key, name in columns.items():
                merged[key] = name if merged.get(key, name) == name else ""
        aliases = {p.alias.lower() for p in node.expressions if isinstance(p, exp.Alias)}
        changed = False
        for column in ctx.own_nodes(node, exp.Column):
            ident = column.this
            if not isinstance(ident, exp.Identifier) or ident.quoted:
                continue
            qualifier = column.table.lower()
            if qualifier:
                wanted = by_source.get(qualifier, {}).get(ident.name.lower())
            elif all_known and (ident.name.lower() not in aliases or _source_first(column, node)):
                wanted = merged.get(ident.name.lower())
            else:
                wanted = None
            if wanted and wanted != ident.name:
                ident.set("this", wanted)
                changed = True
        return node if changed else None


#: the clauses of a SELECT where a name of both a column read and a select-list alias means
#: the column (Spark: ``SELECT cast(Industry AS STRING) AS industry FROM fields`` reads
#: fields.industry); in GROUP BY / HAVING / ORDER BY the alias may be meant
_SOURCE_FIRST = frozenset({"expressions", "where", "joins", "from_"})


def _source_first(column: exp.Column, select: exp.Select) -> bool:
    """Whether ``column`` (of ``select``'s own nodes) is in a clause where a column read wins
    over a select-list alias of the same name."""
    node: exp.Expr = column
    while node.parent is not None and node.parent is not select:
        node = node.parent
    return node.parent is select and node.arg_key in _SOURCE_FIRST


def _schema_spellings(ctx: RuleContext) -> dict[str, dict[str, str]]:
    """Per lower-case table name of ``schema=``, its columns' spellings (once per statement)."""
    found = ctx.memo.get("column-spellings")
    if found is None:
        found = {t.lower(): _spellings(list(cols)) for t, cols in ctx.schema.items() if cols}
        ctx.memo["column-spellings"] = found
    return found


def _output_names(query: exp.Expr) -> dict[str, str] | None:
    """The output names of a SELECT (or of the first branch of a set operation), unless it
    selects ``*``."""
    while isinstance(query, (exp.Union, exp.Intersect, exp.Except)):
        query = query.this
    if not isinstance(query, exp.Select):
        return None
    names = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            return None
        names.append(projection.alias_or_name)
    return _spellings(names)
