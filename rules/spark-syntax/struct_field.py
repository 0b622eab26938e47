"""A struct column's field read as ``col.field`` with no table qualifier."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import own_nodes
from shiftleft.streaming.use_types import generated_names
from shiftleft.tree import select_inputs

_RELATIONS = (exp.Table, exp.Subquery, exp.Unnest, exp.Lateral)


def _relation_names(select: exp.Select) -> set[str]:
    """The (lower-case) names a column may be qualified by in ``select``: its relations' and
    those of the SELECTs around it (a correlated subquery), UNNEST / LATERAL VIEW elements."""
    names: set[str] = set()
    scope: exp.Select | None = select
    while scope is not None:
        for node in own_nodes(scope, _RELATIONS):
            if node is not scope:
                names.update(n.lower() for n in (node.alias_or_name, node.name) if n)
        names |= generated_names(scope)
        scope = scope.find_ancestor(exp.Select)
    return names


class StructFieldQualified(Rule):
    """Spark resolves ``st.c`` as column ``c`` of a relation named ``st`` when there is one, else
    as field ``c`` of the struct column ``st``.  Flink (Calcite) reads a two-part name as
    ``table.column`` only ("Column 'ST.C' not found in table 'tbl_x'"); a struct's field needs
    the table in front: ``tbl_x.st.c``.  When no relation in scope has the qualifier's name, the
    qualifier is a column: of the SELECT's only input, or of the one input whose declared columns
    have it as a struct.  Otherwise (several inputs, columns unknown) the name is left for the
    planner to judge."""

    id = "SL3047"
    name = "struct-field-qualified"
    title = "A struct field read as col.field gets its table in front (t.col.field), as Flink needs"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT a, e.k FROM (SELECT a, ev[0] AS e FROM t) AS q WHERE e.v = 'x'",
            after="SELECT a, q.e.k FROM (SELECT a, ev[1] AS e FROM t) AS q WHERE q.e.v = 'x'",
            types={"t": {"a": "INT", "ev": "ARRAY<STRUCT<k: INT, v: STRING>>"}},
        ),
        Example(
            before="SELECT q.a, e.k FROM (SELECT a, ev[0] AS e FROM t) AS q JOIN t AS u ON q.a = u.b",
            after="SELECT q.a, q.e.k FROM (SELECT a, ev[1] AS e FROM t) AS q JOIN t AS u ON q.a = u.b",
            types={"t": {"a": "INT", "b": "INT", "ev": "ARRAY<STRUCT<k: INT, v: STRING>>"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        qualified = [
            c for c in ctx.own_nodes(node, exp.Column)
            if isinstance(c, exp.Column) and c.table and not c.args.get("db") and not isinstance(c.this, exp.Star)
        ]  # fmt: skip
        if not qualified:
            return None
        names = _relation_names(node)
        inputs = [i for i in select_inputs(node) if isinstance(i, (exp.Table, exp.Subquery)) and i.alias_or_name]
        changed = False
        for column in qualified:
            if column.table.lower() in names:
                continue
            owner = self._owner(column.table, inputs, len(select_inputs(node)) == 1 and not node.args.get("laterals"), ctx)
            if owner is None:
                continue
            column.set("db", exp.to_identifier(owner))
            changed = True
        return node if changed else None

    @staticmethod
    def _owner(qualifier: str, inputs: list[exp.Expr], only: bool, ctx: RuleContext) -> str | None:
        """The name of the input whose struct column ``qualifier`` is."""
        if only and len(inputs) == 1:
            return inputs[0].alias_or_name
        found = []
        for source in inputs:
            if isinstance(source, exp.Subquery) and isinstance(source.this, exp.Select):
                outputs = {p.alias_or_name.lower() for p in source.this.expressions}
                if qualifier.lower() in outputs:
                    found.append(source.alias_or_name)
            elif isinstance(source, exp.Table):
                kind = ctx.column_type(exp.column(qualifier, table=source.name))
                if kind is not None and kind.this is exp.DType.STRUCT:
                    found.append(source.alias_or_name)
        return found[0] if len(found) == 1 else None
