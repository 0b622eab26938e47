"""A name in a window's PARTITION BY / ORDER BY, a WHERE, a HAVING or a later SELECT item
that is a select-list alias (Snowflake, Databricks, DuckDB resolve it; Flink does not)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.derive import derive
from shiftleft.models import Mode
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.walk import own_nodes
from shiftleft.streaming.catalog import column_catalog
from shiftleft.tree import relation_columns

#: how deep aliases referring to aliases are followed (``a AS x, x + 1 AS y, y * 2 AS z``)
_DEPTH = 32


def _source_columns(select: exp.Select, ctx: RuleContext) -> set[str] | None:
    """The lower-case column names of ``select``'s FROM / JOIN / LATERAL sources; None when
    one source's columns are unknown."""
    sources = [select.args.get("from_"), *(select.args.get("joins") or []), *(select.args.get("laterals") or [])]
    names: set[str] = set()
    for source in sources:
        if source is None:
            continue
        relation = source.this if isinstance(source, (exp.From, exp.Join)) else source
        # listed columns first: a derivation per nesting level of derived tables is quadratic
        columns = relation_columns(relation)
        if columns is None:
            columns = derive(relation, column_catalog(ctx)).columns
        if columns is None or "*" in columns:
            return None
        names.update(c.lower() for c in columns)
    return names


def _own_alias(column: exp.Column, select: exp.Select) -> bool:
    """``column`` is in the SELECT item that is an alias of its own name (``trim(x) AS x``):
    a source column (or Snowflake's error), never the alias."""
    owner: exp.Expr = column
    while owner.parent is not select:
        owner = owner.parent  # type: ignore[assignment]
    return isinstance(owner, exp.Alias) and owner.alias.lower() == column.name.lower()


def _place(column: exp.Column, select: exp.Select) -> tuple[str, bool]:
    """(the clause of ``select`` holding ``column``, whether it is in a window's PARTITION BY
    or ORDER BY) ."""
    in_window = False
    node: exp.Expr = column
    while node.parent is not None and node.parent is not select:
        if isinstance(node.parent, exp.Window) and node.arg_key in ("partition_by", "order"):
            in_window = True
        node = node.parent
    return node.arg_key, in_window


class _Aliases:
    """The select-list aliases of one SELECT, expanded through each other."""

    def __init__(self, select: exp.Select, sources: set[str]) -> None:
        counts: dict[str, int] = {}
        for p in select.expressions:
            if isinstance(p, exp.Alias):
                counts[p.alias.lower()] = counts.get(p.alias.lower(), 0) + 1
        #: alias -> its expression (names defined once, and not a source column)
        self.values = {
            p.alias.lower(): p.this
            for p in select.expressions
            if isinstance(p, exp.Alias) and counts[p.alias.lower()] == 1 and p.alias.lower() not in sources
        }

    def expanded(self, name: str, depth: int = 0) -> exp.Expr | None:
        """A copy of the expression ``name`` aliases, its own alias references expanded;
        None when they go round in a circle."""
        if depth > _DEPTH:
            return None
        value = self.values[name].copy()
        holder = exp.Paren(this=value)
        for column in own_nodes(value, exp.Column):
            if column.table or column.name.lower() not in self.values:
                continue
            inner = self.expanded(column.name.lower(), depth + 1)
            if inner is None:
                return None
            column.replace(inner)
        return holder.this


#: the clauses where an alias reference is written as its expression (and any window's
#: PARTITION BY / ORDER BY): elsewhere :func:`_allowed` is False
_REWRITTEN = frozenset({"where", "having", "expressions"})


def _allowed(value: exp.Expr, column: exp.Column, clause: str, in_window: bool) -> bool:
    """Whether Snowflake's alias reference can be written as ``value`` where ``column`` is
    (only in a window, or a clause of :data:`_REWRITTEN`)."""
    windowed = bool(own_nodes(value, exp.Window))
    aggregated = bool(own_nodes(value, exp.AggFunc))
    if windowed and (in_window or clause != "expressions"):
        return False  # no window inside a window, a WHERE or a HAVING
    if in_window:
        return True
    if clause == "where":
        return not aggregated
    if clause == "having":
        return True
    if clause == "expressions":  # a lateral reference in a later SELECT item
        inside = column.find_ancestor(exp.AggFunc, exp.Window, exp.Select)
        return not ((aggregated or windowed) and isinstance(inside, (exp.AggFunc, exp.Window)))
    return False


class SelectAliasReference(Rule):
    """Snowflake (like Databricks and DuckDB) lets a query name a SELECT-list alias in a
    window's PARTITION BY / ORDER BY, in the WHERE, the HAVING and in the other SELECT items
    (``upper(s) AS u, row_number() OVER (PARTITION BY u ORDER BY ts) AS rn``).  Flink resolves
    none of them: "Column 'u' not found".  The rule writes the aliased expression in place of
    the name (aliases naming aliases are followed).  Snowflake's precedence is kept: a name that
    is also a column of the query's FROM sources is that column, not the alias (its GROUP BY
    documentation; the same holds in the other clauses), so the rule only rewrites a name no
    source has, and only when every source's columns are known.  An aggregate is not written
    into a WHERE, nor a window into a window, a WHERE or a HAVING (Snowflake rejects those
    too).  GROUP BY aliases are SL3005's; a QUALIFY naming an alias keeps it (SL3027 turns the
    QUALIFY into an outer WHERE over the alias).  Checked on Flink 2.3 against DuckDB, which
    resolves the aliases the same way, with generated queries.
    """

    id = "SL3028"
    name = "select-alias-reference"
    title = "a select-list alias named in a window, WHERE, HAVING or another item becomes its expression"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT upper(s) AS u, row_number() OVER (PARTITION BY u ORDER BY ts) AS rn FROM t",
            after="SELECT UPPER(s) AS u, ROW_NUMBER() OVER (PARTITION BY UPPER(s) ORDER BY ts) AS rn FROM t",
            types={"t": {"s": "STRING", "ts": "TIMESTAMP"}},
        ),
        Example(
            before="SELECT a + 1 AS x, x * 2 AS y FROM t WHERE x > 2",
            after="SELECT a + 1 AS x, (a + 1) * 2 AS y FROM t WHERE a + 1 > 2",
            types={"t": {"a": "INT"}},
        ),
        Example(
            before="SELECT b + 1 AS a, row_number() OVER (ORDER BY a DESC) AS r FROM t",
            after="SELECT b + 1 AS a, ROW_NUMBER() OVER (ORDER BY a DESC) AS r FROM t",
            types={"t": {"a": "INT", "b": "INT"}},
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        names = {p.alias.lower() for p in node.expressions if isinstance(p, exp.Alias)}
        if not names:
            return None
        # the walk of this SELECT the rules on it share (SL3011, SL3020...), not one of its own
        candidates = [
            (column, *_place(column, node))
            for column in ctx.own_nodes(node, exp.Column)
            if not column.table and column.name.lower() in names
        ]
        # only where an alias may be written (see _allowed): an ORDER BY or GROUP BY naming an
        # alias (valid Flink, or SL3005's) does not cost a derivation of the sources
        candidates = [
            c for c in candidates if (c[2] or c[1] in _REWRITTEN) and not (c[1] == "expressions" and _own_alias(c[0], node))
        ]
        if not candidates:
            return None
        sources = _source_columns(node, ctx)
        if sources is None:
            return None
        aliases = _Aliases(node, sources)
        changed = False
        for column, clause, in_window in candidates:
            name = column.name.lower()
            if name not in aliases.values:
                continue
            value = aliases.expanded(name)
            if value is None or not _allowed(value, column, clause, in_window):
                continue
            column.replace(value)  # parenthesised where needed after the rules (parenthesize)
            changed = True
        return node if changed else None
