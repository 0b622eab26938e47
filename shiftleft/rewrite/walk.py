"""Fast tree walks for rules.

``Expr.find_all`` walks a whole subtree through a generator per node; a rule that looks at
"its own" SELECT with it also walks every nested query, once per enclosing SELECT, which is
quadratic in the nesting depth.  :func:`own_nodes` walks one scope only, with a plain stack;
:func:`preorder` and :func:`size_at_most` are ``walk(bfs=False)`` and a bounded count without
a generator per node.  (``children`` and ``find_all``, for every stage: :mod:`shiftleft.tree`.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from sqlglot import exp

from shiftleft.tree import children as _children

_N = TypeVar("_N", bound=exp.Expr)


def own_nodes(root: exp.Expr, types: type[exp.Expr] | tuple[type[exp.Expr], ...]) -> list[exp.Expr]:
    """The nodes of ``types`` in ``root``'s tree whose nearest enclosing SELECT is the same
    as ``root``'s (``root`` itself included): nested SELECTs are not entered (each is visited
    on its own), though a nested SELECT itself is returned when it is of ``types``.
    Depth-first, left to right."""
    found: list[exp.Expr] = []
    stack = [root]
    pop, push, add, select, expr = stack.pop, stack.append, found.append, exp.Select, exp.Expr
    while stack:
        node = pop()
        if isinstance(node, types):
            add(node)
        if type(node) is select and node is not root:
            continue
        for value in reversed(node.args.values()):  # children pushed last first: popped in order
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, expr):
                        push(item)
            elif isinstance(value, expr):
                push(value)
    return found


def own_nodes_bfs(root: exp.Expr, types: type[_N] | tuple[type[_N], ...]) -> list[_N]:
    """The nodes of :func:`own_nodes`, in the breadth-first order of ``Expr.find_all`` (what
    ``[n for n in root.find_all(types) if n.parent_select is root]`` gives for a SELECT
    ``root``, without walking the nested queries)."""
    found: list[_N] = []
    level = [root]
    select = exp.Select
    while level:
        following: list[exp.Expr] = []
        for node in level:
            if isinstance(node, types):
                found.append(node)  # type: ignore[arg-type]  # of types: _N
            if node is root or not isinstance(node, select):
                following.extend(_children(node))
        level = following
    return found


def preorder(root: exp.Expr) -> Iterator[exp.Expr]:
    """``root``'s tree depth-first, parents before children, left to right (the order of
    ``Expr.walk(bfs=False)``)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(_children(node)))


def size_at_most(root: exp.Expr, limit: int) -> bool:
    """True when ``root``'s tree has at most ``limit`` nodes (stops counting past it)."""
    stack, seen = [root], 0
    while stack:
        seen += 1
        if seen > limit:
            return False
        stack.extend(_children(stack.pop()))
    return True


def bare_copy(node: _N) -> _N:
    """A copy of ``node``'s tree with the same args, types and comments, without positions
    (``Expr.copy`` deep-copies each node's position dict, most of its cost): for printing,
    and for rule templates (whose positions are those of the rule file)."""
    root = node.__class__()
    stack: list[tuple[exp.Expr, exp.Expr]] = [(node, root)]
    expr = exp.Expr
    while stack:
        original, copy = stack.pop()
        if original.comments:
            copy.comments = list(original.comments)
        copy._type = original._type  # shared, read-only while printing
        args = copy.args
        for key, value in original.args.items():
            if isinstance(value, expr):
                child = value.__class__()
                child.parent, child.arg_key = copy, key
                stack.append((value, child))
                args[key] = child
            elif type(value) is list:
                items = []
                for i, item in enumerate(value):
                    if isinstance(item, expr):
                        child = item.__class__()
                        child.parent, child.arg_key, child.index = copy, key, i
                        stack.append((item, child))
                        item = child
                    items.append(item)
                args[key] = items
            else:
                args[key] = value
    return root


def in_hint(node: exp.Expr) -> bool:
    """``node.find_ancestor(exp.Hint) is not None`` without walking up to the root: a hint
    holds no query, so the walk stops at the nearest enclosing one (checks ask this for every
    function call)."""
    parent = node.parent
    hint, query = exp.Hint, exp.Query
    while parent is not None:
        if isinstance(parent, hint):
            return True
        if isinstance(parent, query):
            return False
        parent = parent.parent
    return False


#: what may stand directly under OVER: aggregates and window functions, and their modifiers
_WINDOWED = (exp.AggFunc, exp.RowNumber, exp.IgnoreNulls, exp.RespectNulls, exp.Filter, exp.WithinGroup,
             exp.Anonymous)


def wrapped_aggregate(window: exp.Window) -> exp.Expr | None:
    """The single aggregate inside an expression that stands under OVER in place of an
    aggregate (``ARRAY_REMOVE(ARRAY_AGG(x), NULL) OVER w``, what a function rule made of
    ``collect_list(x) OVER w``); None when the window's function is an aggregate or window
    function itself, or the expression holds no or several aggregates."""
    function = window.this
    if function is None or isinstance(function, _WINDOWED):
        return None
    aggregates = [a for a in own_nodes(function, exp.AggFunc) if a is not function]
    return aggregates[0] if len(aggregates) == 1 else None


def argument_in_flag(node: exp.Expr, *flags: str) -> exp.Expr | None:
    """The written argument one of ``flags`` holds, if any.  ``flags`` are arguments a dialect's
    reader sets to True / False for a function; a call written with more arguments than the
    function takes gets its extra ones stored there by sqlglot (``count_if(a, b)``: ``b`` in
    ``zero_on_all_null``), which a rule reading the slot as a flag would silently drop."""
    for flag in flags:
        value = node.args.get(flag)
        if isinstance(value, exp.Expr) and not isinstance(value, exp.Boolean):
            return value
    return None
