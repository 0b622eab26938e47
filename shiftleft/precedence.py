"""Parenthesize what rewrite rules built without parentheses.

A tree the parser produced already holds explicit :class:`~sqlglot.exp.Paren` nodes, but a
rule that builds ``exp.Add(this=<x IS NULL>, ...)`` gets ``x IS NULL + 1`` from the generator,
which Flink reads as something else (or not at all).  :func:`parenthesize` wraps every operand
whose operator binds less tightly than its parent's in a ``Paren``, so the printed SQL means
the tree.  It never changes the meaning of a correct tree.
"""

from __future__ import annotations

from sqlglot import exp

_PREDICATES = tuple(
    getattr(exp, n)
    for n in ("EQ", "NEQ", "GT", "GTE", "LT", "LTE", "NullSafeEQ", "NullSafeNEQ", "Is", "In", "Like", "ILike",
              "Between", "RegexpLike", "SimilarTo", "Glob")
    if hasattr(exp, n)
)
# (types, precedence, right operand must differ when equal: not associative)
_LEVELS: tuple[tuple[tuple[type[exp.Expr], ...], int, bool], ...] = (
    ((exp.Or,), 1, False),
    ((exp.And,), 2, False),
    ((exp.Not,), 3, False),
    (_PREDICATES, 4, True),
    ((exp.DPipe,), 5, False),
    ((exp.Add,), 6, False),
    ((exp.Sub,), 6, True),
    ((exp.Mul,), 7, False),
    ((exp.Div, exp.Mod, exp.IntDiv), 7, True),
    ((exp.Neg,), 8, False),
)


#: precedence of each node type met so far (None: not an operator); filled on first sight
_LEVEL_OF: dict[type, tuple[int, bool] | None] = {}
_OPERANDS = ("this", "expression", "low", "high")


def _level(node: exp.Expr) -> tuple[int, bool] | None:
    kind = type(node)
    try:
        return _LEVEL_OF[kind]
    except KeyError:
        pass
    found = next(((level, strict) for types, level, strict in _LEVELS if issubclass(kind, types)), None)
    _LEVEL_OF[kind] = found
    return found


def parenthesize(tree: exp.Expr) -> exp.Expr:
    """Wrap lower-precedence operands of operators in parentheses, in place; returns ``tree``."""
    stack = [tree]
    pop, push, expr, operands = stack.pop, stack.append, exp.Expr, _OPERANDS
    while stack:
        node = pop()
        parent = _level(node)
        args = node.args
        for key, value in args.items():
            if type(value) is list:
                stack.extend(v for v in value if isinstance(v, expr))
                continue
            if not isinstance(value, expr):
                continue
            push(value)
            if parent is None or key not in operands:
                continue
            own = _level(value)
            if own is None:
                continue
            lower = own[0] < parent[0] or (own[0] == parent[0] and parent[1] and key != "this")
            if own[0] == parent[0] and isinstance(node, _PREDICATES):
                lower = True  # a = b = c, (a = b) IS NULL: always explicit
            if lower:
                node.set(key, exp.Paren(this=value))
    return tree
