"""Fast walks over sqlglot trees, shared by every stage.

``Expr.find_all`` and ``Expr.iter_expressions`` create a generator per node, which is most of
a walk's cost; these read each node's ``args`` directly.
"""

from __future__ import annotations

from collections.abc import Iterator
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
            ctes = with_.expressions
            if child is with_ and isinstance(below, exp.CTE) and not with_.args.get("recursive"):
                ctes = ctes[: next((i for i, c in enumerate(ctes) if c is below), len(ctes))]
            yield from ctes
        below, child, current = child, current, current.parent


def cte_named(table: exp.Table) -> exp.CTE | None:
    """The CTE a table reference without a database names (:func:`visible_ctes`), or None."""
    if table.args.get("db") is not None or table.args.get("catalog") is not None:
        return None
    name = table.name.lower()
    return next((c for c in visible_ctes(table) if c.alias_or_name.lower() == name), None)


def cte_query(table: exp.Table) -> exp.Expr | None:
    """The body of the CTE ``table`` names (:func:`cte_named`), or None."""
    cte = cte_named(table)
    return cte.this if cte is not None else None


def ctes_by_name(node: exp.Expr) -> dict[str, exp.CTE]:
    """The CTEs ``node`` can read (:func:`visible_ctes`) by lower-case name."""
    found: dict[str, exp.CTE] = {}
    for cte in visible_ctes(node):
        found.setdefault(cte.alias_or_name.lower(), cte)
    return found


def select_inputs(select: exp.Select) -> list[exp.Expr]:
    """The relations ``select``'s FROM and JOINs read, in order (tables, subqueries, UNNESTs)."""
    from_ = select.args.get("from_")
    return [*([from_.this] if from_ is not None else []), *(j.this for j in select.args.get("joins") or [])]
