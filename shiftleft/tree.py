"""Fast walks over sqlglot trees, shared by every stage.

``Expr.find_all`` and ``Expr.iter_expressions`` create a generator per node, which is most of
a walk's cost; these read each node's ``args`` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from sqlglot import exp

_N = TypeVar("_N", bound=exp.Expr)


def children(node: exp.Expr) -> list[exp.Expr]:
    """``list(node.iter_expressions())``: the child nodes, in argument order."""
    found: list[exp.Expr] = []
    expr = exp.Expr
    for value in node.args.values():
        if type(value) is list:
            found.extend([item for item in value if isinstance(item, expr)])
        elif isinstance(value, expr):
            found.append(value)
    return found


def nodes(root: exp.Expr) -> list[exp.Expr]:
    """``list(root.walk())``: every node of ``root``'s tree, breadth-first (the order of
    ``Expr.walk``), through one list used as the queue, without a generator per node."""
    queue = [root]
    extend = queue.extend
    for node in queue:  # grows while it is read: breadth-first
        extend(children(node))
    return queue


def find_all(root: exp.Expr, types: type[_N] | tuple[type[_N], ...]) -> list[_N]:
    """``list(root.find_all(*types))``: the nodes of ``types`` in ``root``'s tree, breadth-first
    (the order of ``Expr.find_all``), without a generator per node."""
    return [node for node in nodes(root) if isinstance(node, types)]  # type: ignore[misc]  # of types: _N


def visible_ctes(node: exp.Expr) -> Iterator[exp.CTE]:
    """The CTEs ``node`` can read by name, the nearest WITH first: from each enclosing WITH,
    the CTEs before the one ``node`` is in (a CTE of a WITH that is not RECURSIVE sees only the
    earlier ones: ``WITH orders AS (SELECT * FROM orders)``, a dbt model naming its CTE after
    the relation it reads, reads the table ``orders``), all of them from a WITH above the
    query ``node`` is in."""
    below: exp.Expr | None = None  # the node before ``child`` on the way up
    child: exp.Expr | None = None
    current: exp.Expr | None = node
    while current is not None:
        with_ = current.args.get("with_") if isinstance(current, exp.Query) else None
        if isinstance(with_, exp.With):
            yield from _readable(with_, child, below)
        below, child, current = child, current, current.parent


def _readable(with_: exp.With, child: exp.Expr | None, below: exp.Expr | None) -> list[exp.CTE]:
    """The CTEs of ``with_`` that a node reached on the way up through ``child`` (the WITH
    itself, or the query holding it) and ``below`` (the node under ``child``) can read: the
    ones before ``below`` when it is a CTE of a WITH that is not RECURSIVE, else all."""
    ctes: list[exp.CTE] = with_.expressions
    if child is with_ and isinstance(below, exp.CTE) and not with_.args.get("recursive"):
        for i, cte in enumerate(ctes):
            if cte is below:
                return ctes[:i]
    return ctes


def cte_name(cte: exp.CTE) -> str:
    """``cte.alias_or_name``, read straight from its alias identifier: a table's CTE is looked
    up among every CTE before it, so this runs once per CTE per table (the properties cost
    five calls each)."""
    alias = cte.args.get("alias")
    if type(alias) is exp.TableAlias:
        ident = alias.args.get("this")
        if type(ident) is exp.Identifier:
            text = ident.args.get("this")
            if type(text) is str and text:
                return text
    return cte.alias_or_name


def cte_named(table: exp.Table) -> exp.CTE | None:
    """The CTE a table reference without a database names (:func:`visible_ctes`), or None."""
    if table.args.get("db") is not None or table.args.get("catalog") is not None:
        return None
    name = table.name.lower()
    # visible_ctes without its generator: a table is looked up many times
    below: exp.Expr | None = None
    child: exp.Expr | None = None
    current: exp.Expr | None = table
    while current is not None:
        with_ = current.args.get("with_") if isinstance(current, exp.Query) else None
        if isinstance(with_, exp.With):
            for cte in _readable(with_, child, below):
                if cte_name(cte).lower() == name:
                    return cte
        below, child, current = child, current, current.parent
    return None


def cte_query(table: exp.Table) -> exp.Expr | None:
    """The body of the CTE ``table`` names (:func:`cte_named`), or None."""
    cte = cte_named(table)
    return cte.this if cte is not None else None


def ctes_by_name(node: exp.Expr) -> dict[str, exp.CTE]:
    """The CTEs ``node`` can read (:func:`visible_ctes`) by lower-case name."""
    found: dict[str, exp.CTE] = {}
    for cte in visible_ctes(node):
        found.setdefault(cte_name(cte).lower(), cte)
    return found


def select_inputs(select: exp.Select) -> list[exp.Expr]:
    """The relations ``select``'s FROM and JOINs read, in order (tables, subqueries, UNNESTs)."""
    from_ = select.args.get("from_")
    return [*([from_.this] if from_ is not None else []), *(j.this for j in select.args.get("joins") or [])]


#: how deep a ``*`` is followed through CTEs and subqueries before the columns are unknown
_STAR_DEPTH = 16

#: the columns of a table that is not a CTE (lower case), or None when not known
TableColumns = Callable[[exp.Table], Sequence[str] | None]


def _no_table(_: exp.Table) -> None:
    return None


def _alias_columns(node: exp.Expr) -> list[str] | None:
    alias = node.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.columns:
        return [c.name.lower() for c in alias.columns]
    return None


def relation_columns(relation: exp.Expr, tables: TableColumns = _no_table, depth: int = 0) -> list[str] | None:
    """The lower-case output columns of a FROM / JOIN input (a table, a CTE, a derived table,
    a VALUES) as its SQL lists them, without deriving it: the alias's column list, else a CTE's
    or subquery's SELECT list, a ``*`` followed into inputs whose columns are known; a table
    that is not a CTE asks ``tables``.  None when not known (a SELECT item without a name, a
    ``*`` of an unknown input or with EXCEPT / REPLACE, a PIVOT, an UNNEST...)."""
    if depth > _STAR_DEPTH or relation.args.get("pivots"):  # PIVOT / UNPIVOT make other columns
        return None
    if not isinstance(relation, (exp.Table, exp.Subquery, exp.CTE, exp.Values)):
        return None  # an UNNEST's alias lists its elements' columns, not WITH ORDINALITY's
    named = _alias_columns(relation)
    if named is not None or isinstance(relation, exp.Values):
        return named
    if isinstance(relation, (exp.CTE, exp.Subquery)):
        return query_columns(relation.this, tables, depth + 1)
    assert isinstance(relation, exp.Table)
    cte = cte_named(relation) if isinstance(relation.this, exp.Identifier) else None
    if cte is None:
        found = tables(relation)
        return [c.lower() for c in found] if found else None
    return relation_columns(cte, tables, depth + 1)


def query_columns(query: exp.Expr, tables: TableColumns = _no_table, depth: int = 0) -> list[str] | None:
    """The lower-case output columns of a query (a UNION's are its first branch's), as
    :func:`relation_columns` knows them; None when not known."""
    while isinstance(query, exp.SetOperation):
        query = query.this
    if isinstance(query, (exp.Subquery, exp.Values, exp.CTE)):
        return relation_columns(query, tables, depth + 1)
    if not isinstance(query, exp.Select):
        return None
    names: list[str] = []
    for projection in query.expressions:
        if not projection.is_star:
            if not projection.alias_or_name:
                return None
            names.append(projection.alias_or_name.lower())
            continue
        star = projection.this if isinstance(projection, exp.Column) else projection
        if any(star.args.get(m) for m in ("except_", "replace", "rename")) or query.args.get("laterals"):
            return None
        qualifier = projection.table.lower() if isinstance(projection, exp.Column) else ""
        inputs = [s for s in select_inputs(query) if not qualifier or s.alias_or_name.lower() == qualifier]
        if not inputs:
            return None
        for inner in inputs:
            found = relation_columns(inner, tables, depth + 1)
            if found is None:
                return None
            names.extend(found)
    return names
