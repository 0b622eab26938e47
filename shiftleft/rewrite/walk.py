"""Fast tree walks for rules.

``Expr.find_all`` walks a whole subtree through a generator per node; a rule that looks at
"its own" SELECT with it also walks every nested query, once per enclosing SELECT, which is
quadratic in the nesting depth.  :func:`own_nodes` walks one scope only, with a plain stack.
"""

from __future__ import annotations

from sqlglot import exp


def own_nodes(root: exp.Expr, types: type[exp.Expr] | tuple[type[exp.Expr], ...]) -> list[exp.Expr]:
    """The nodes of ``types`` in ``root``'s tree whose nearest enclosing SELECT is the same
    as ``root``'s (``root`` itself included): nested SELECTs are not entered (each is visited
    on its own), though a nested SELECT itself is returned when it is of ``types``.
    Depth-first, left to right."""
    found: list[exp.Expr] = []
    stack = [root]
    pop, push, expr, select = stack.pop, stack.append, exp.Expr, exp.Select
    while stack:
        node = pop()
        if isinstance(node, types):
            found.append(node)
        if node is not root and isinstance(node, select):
            continue
        children = []
        for value in node.args.values():
            if type(value) is list:
                children.extend(item for item in value if isinstance(item, expr))
            elif isinstance(value, expr):
                children.append(value)
        stack.extend(reversed(children))
    return found
