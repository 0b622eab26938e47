"""UNNEST of an array of structs: Flink spreads each element's fields into columns."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.tree import select_inputs

O = pack_module(__file__, "_ordinality")


def _fields(array_type: exp.DataType | None) -> list[tuple[exp.Identifier, exp.DataType]] | None:
    """(name, type) of the fields of the struct elements of ``array_type`` (None: not an array
    of structs, or its fields are not all named and typed)."""
    if array_type is None or array_type.this is not exp.DType.ARRAY or len(array_type.expressions) != 1:
        return None
    element = array_type.expressions[0]
    if not isinstance(element, exp.DataType) or element.this is not exp.DType.STRUCT:
        return None
    fields = []
    for field in element.expressions:
        kind = field.args.get("kind") if isinstance(field, exp.ColumnDef) else None
        if not isinstance(kind, exp.DataType) or not field.name:
            return None
        fields.append((field.this.copy(), kind))
    return fields or None


def _whole(table: str, fields: list[tuple[exp.Identifier, exp.DataType]]) -> exp.Expr:
    """The element as one value again: its fields in a ROW cast to the struct's type, which
    keeps the field names (Flink names a bare ROW(...)'s fields EXPR$0, EXPR$1, ...)."""
    row = exp.Anonymous(this="ROW", expressions=[exp.column(name.copy(), table=table) for name, _ in fields])
    struct = exp.DataType(
        this=exp.DType.STRUCT,
        expressions=[exp.ColumnDef(this=name.copy(), kind=kind.copy()) for name, kind in fields],
        nested=True,
    )
    return exp.Cast(this=row, to=struct)


def _parts(column: exp.Column) -> list[str]:
    return [p.name.lower() for p in column.parts]


def _requalify(table: str, rest: list[exp.Expr]) -> exp.Column:
    """``table.rest[0].rest[1]...`` as a Column (at most catalog.db.table.this)."""
    names = [exp.to_identifier(table), *(p.copy() for p in rest)]
    keys = ["this", "table", "db", "catalog"][: len(names)]
    return exp.Column(**dict(zip(keys, reversed(names))))


class UnnestStructElements(Rule):
    """An ``UNNEST`` of an array of structs is one struct column per element in BigQuery
    (``FROM t, UNNEST(events) AS e`` then ``e.key``), Spark (``explode``) and DuckDB, but Flink
    spreads the element's fields into columns of their own: ``UNNEST(events) AS u(e)`` is
    rejected ("List of column aliases must have same degree as table; table has 2 columns").
    When the array's element type is known (``schema=``, the parents' declared columns), the
    UNNEST's alias names the fields, with the element's name as the table alias, so ``e.key``
    reads the field as before; the element used whole becomes ``CAST(ROW(e.key, e.value) AS
    ROW<key ..., value ...>)``.  A bare column with the name of one of the fields would become
    ambiguous in Flink: reported.  ``SELECT *`` over it gives the fields, not the element:
    reported as a warning.
    """

    id = "SL3035"
    name = "unnest-struct-elements"
    title = "UNNEST of an array of structs names the struct's fields (Flink spreads them)"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT e.k, e.v FROM t, UNNEST(ev) AS e",
            after="SELECT e.k, e.v FROM t CROSS JOIN UNNEST(ev) AS e(k, v)",
            read="bigquery",
            types={"t": {"ev": "ARRAY<STRUCT<k: INT, v: STRING>>"}},
        ),
        Example(
            before="SELECT a, x FROM t LATERAL VIEW explode(ev) u AS x",
            after="SELECT a, CAST(ROW(u.k, u.v) AS ROW<k INT, v STRING>) AS x FROM t CROSS JOIN UNNEST(ev) AS u(k, v)",
            types={"t": {"a": "INT", "ev": "ARRAY<STRUCT<k: INT, v: STRING>>"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        changed = False
        for unnest in select_inputs(node):
            if isinstance(unnest, exp.Unnest) and self._rewrite(node, unnest, ctx):
                changed = True
        return node if changed else None

    def _rewrite(self, select: exp.Select, unnest: exp.Unnest, ctx: RuleContext) -> bool:
        alias = unnest.args.get("alias")
        if len(unnest.expressions) != 1 or not isinstance(alias, exp.TableAlias) or len(alias.columns) != 1:
            return False
        fields = _fields(ctx.declared_type(unnest.expressions[0]))
        if fields is None:
            return False
        value = alias.columns[0].name
        table = alias.name or value
        names = {name.name.lower() for name, _ in fields}
        others = {
            source.alias_or_name.lower()
            for source in select_inputs(select)
            if source is not unnest and source.alias_or_name
        }
        if table.lower() in others or value.lower() in others:
            ctx.report(
                unnest,
                f"the UNNEST alias {table} is also the name of another relation of the query: "
                "Flink spreads the struct's fields into columns, which could not be told apart",
                severity=Severity.ERROR,
                suggestion="give the UNNEST an alias of its own",
            )
            return False
        columns = [c for c in ctx.own_nodes(select, exp.Column) if isinstance(c, exp.Column)]
        bare = sorted({c.name for c in columns if not c.table and c.name.lower() in names and c.name.lower() != value.lower()})
        if bare:
            ctx.report(
                unnest,
                f"{', '.join(bare)}: Flink spreads the fields of the struct elements of "
                f"{ctx.sql(unnest.expressions[0])} into columns of those names, so the bare name "
                "would be ambiguous",
                severity=Severity.ERROR,
                suggestion="qualify the column with its table's alias",
            )
            return False
        if any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
               for p in select.expressions):  # fmt: skip
            ctx.report(
                unnest,
                f"SELECT * over UNNEST of {ctx.sql(unnest.expressions[0])} gives the struct's fields "
                f"({', '.join(n.name for n, _ in fields)}) as columns in Flink, not one column {value}",
                suggestion=f"select the element's fields, or {value} by name",
            )
        alias.set("this", exp.to_identifier(table))
        alias.set("columns", [name.copy() for name, _ in fields])
        for column in columns:
            self._reference(column, table.lower(), value.lower(), fields)
        return True

    @staticmethod
    def _reference(
        column: exp.Column, table: str, value: str, fields: list[tuple[exp.Identifier, exp.DataType]]
    ) -> None:
        """Point a reference to the element (``value`` or ``table.value``) or to one of its
        fields (``value.f``, ``table.value.f``) at the spread columns."""
        parts = _parts(column)
        identifiers = list(column.parts)
        if parts[:2] == [table, value] and table != value:
            rest = identifiers[2:]
        elif parts[:1] == [value] and (len(parts) > 1 or not column.table):
            rest = identifiers[1:]
        else:
            return
        if not rest:
            whole = _whole(table, fields)
            parent = column.parent
            if isinstance(parent, exp.Select) and column.arg_key == "expressions":
                column.replace(exp.alias_(whole, column.name))
            else:
                column.replace(whole)
        elif parts[0] != table or len(rest) != len(identifiers) - 1:
            column.replace(_requalify(table, rest))


class BigQueryUnnestOffset(Rule):
    """BigQuery's ``UNNEST(arr) AS x WITH OFFSET AS o`` numbers the elements from 0; Flink's
    ``WITH ORDINALITY`` (which it becomes) from 1, so the references to ``o`` become ``o - 1``
    (as Spark's posexplode position does, SL3010).  Only for ``--read bigquery``: the other
    readers' ``WITH ORDINALITY`` (Trino, DuckDB, PostgreSQL) counts from 1 already."""

    id = "SL3037"
    name = "bigquery-unnest-offset"
    title = "BigQuery's 0-based UNNEST ... WITH OFFSET becomes Flink's 1-based ordinality minus 1"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT e, o FROM t, UNNEST(arr) AS e WITH OFFSET AS o WHERE o > 0",
            after="SELECT e, o - 1 AS o FROM t CROSS JOIN UNNEST(arr) WITH ORDINALITY AS _t0(e, o) WHERE (o - 1) > 0",
            read="bigquery",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        if ctx.read != "bigquery":
            return None
        changed = False
        for unnest in select_inputs(node):
            offset = unnest.args.get("offset") if isinstance(unnest, exp.Unnest) else None
            if not isinstance(offset, exp.Identifier):
                continue
            table = (unnest.alias or "").lower()
            for column in ctx.own_nodes(node, exp.Column):
                assert isinstance(column, exp.Column)
                if column.name.lower() != offset.name.lower() or column.find_ancestor(exp.Join):
                    continue
                if column.table and column.table.lower() != table:
                    continue
                O.zero_based(column, node)
                changed = True
        return node if changed else None
