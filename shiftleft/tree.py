"""Fast walks over sqlglot trees, shared by every stage.

``Expr.find_all`` and ``Expr.iter_expressions`` create a generator per node, which is most of
a walk's cost; these read each node's ``args`` directly.
"""

from __future__ import annotations

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
