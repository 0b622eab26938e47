"""The one Top-N / deduplication detector: a ranking window (``ROW_NUMBER`` / ``RANK`` /
``DENSE_RANK``) filtered ``= 1`` / ``<= n`` / ``< n``, in QUALIFY or in the WHERE of the
query reading it (a FROM subquery or a CTE).

Used by the derivation (:mod:`shiftleft.derive.select`) and by the streaming rules that report
dedup / Top-N shapes (``rules/streaming``), so both see the same patterns.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlglot import exp

#: ranking functions Flink recognises in the Top-N pattern
RANKING = (exp.RowNumber, exp.Rank, exp.DenseRank)


@dataclass(frozen=True)
class TopNFilter:
    """A ranking window filtered ``= 1`` / ``<= n`` / ``< n``: Flink's Top-N / dedup shape."""

    window: exp.Window
    #: the comparison that filters the rank (in QUALIFY or the outer WHERE)
    condition: exp.Expr
    #: how many rows per partition survive
    n: int


def _int_literal(node: exp.Expr) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    return None


def _rank_bound(cmp: exp.Expr | None, is_rank: Callable[[exp.Expr], bool]) -> int | None:
    """Rows kept by ``cmp`` when it compares the rank with an integer, else None."""
    if not isinstance(cmp, (exp.EQ, exp.LTE, exp.LT, exp.GTE, exp.GT)):
        return None
    left, right = cmp.this, cmp.expression
    flipped = False
    if is_rank(right) and not is_rank(left):
        left, right, flipped = right, left, True
    if not is_rank(left):
        return None
    value = _int_literal(right)
    if value is None:
        return None
    kind: type[exp.Binary] = type(cmp)
    if flipped:  # 3 >= rn is rn <= 3
        kind = {exp.GTE: exp.LTE, exp.GT: exp.LT, exp.LTE: exp.GTE, exp.LT: exp.GT}.get(kind, kind)
    if kind is exp.EQ:
        return 1 if value == 1 else None
    if kind is exp.LTE:
        return value if value >= 1 else None
    if kind is exp.LT:
        return value - 1 if value >= 2 else None
    return None


def conjuncts(condition: exp.Expr | None) -> list[exp.Expr]:
    """The AND-ed parts of ``condition``, left to right (iterative, parentheses dropped)."""
    out: list[exp.Expr] = []
    stack = [condition] if condition is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Paren):
            stack.append(node.this)
        elif isinstance(node, exp.And):
            stack.extend((node.expression, node.this))
        else:
            out.append(node)
    return out


def _outer_selects(inner: exp.Select) -> list[tuple[exp.Select, str | None]]:
    """Selects that read ``inner`` directly: as a FROM subquery or as a CTE; with the name
    the outer query gives it (subquery alias or CTE name)."""
    parent = inner.parent
    found: list[tuple[exp.Select, str | None]] = []
    if isinstance(parent, exp.Subquery):
        holder = parent.parent
        outer = holder.parent if isinstance(holder, (exp.From, exp.Join)) else None
        if isinstance(outer, exp.Select):
            found.append((outer, parent.alias or None))
    elif isinstance(parent, exp.CTE):
        name = parent.alias.lower()
        with_ = parent.parent
        query = with_.parent if with_ is not None else None
        if query is not None:
            for select in query.find_all(exp.Select):
                source = select.args.get("from_")
                table = source.this if source is not None else None
                if isinstance(table, exp.Table) and not table.db and table.name.lower() == name:
                    found.append((select, table.alias_or_name))
    return found


def top_n_filter(window: exp.Window) -> TopNFilter | None:
    """The Top-N filter applied to ``window``, when it is a ranking function filtered by
    ``QUALIFY rank <op> n`` or by ``WHERE alias <op> n`` in the query that reads it."""
    if not isinstance(window.this, RANKING):
        return None
    parent = window.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    scope = window.find_ancestor(exp.Qualify, exp.Select)
    if isinstance(scope, exp.Qualify):
        n = _rank_bound(parent, lambda e: e is window or (isinstance(e, exp.Paren) and e.this is window))
        if n is not None and parent is not None and any(c is parent for c in conjuncts(scope.this)):
            return TopNFilter(window, parent, n)
        return None
    if not isinstance(parent, exp.Alias) or not isinstance(parent.parent, exp.Select):
        return None
    alias = parent.alias.lower()
    for outer, source in _outer_selects(parent.parent):
        where = outer.args.get("where")
        for cond in conjuncts(where.this if where is not None else None):

            def is_rank(e: exp.Expr, _source: str | None = source) -> bool:
                return (
                    isinstance(e, exp.Column)
                    and e.name.lower() == alias
                    and (not e.table or (_source or "").lower() == e.table.lower())
                )

            n = _rank_bound(cond, is_rank)
            if n is not None:
                return TopNFilter(window, cond, n)
    return None



def is_row_number(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber)


def rank_bound(condition: exp.Expr) -> tuple[exp.Expr, int | None] | None:
    """(the row-number side, rows kept) when ``condition`` bounds a column or window from
    above by an integer (the same bounds :func:`top_n_filter` accepts)."""
    for side in (condition.this, condition.expression) if isinstance(condition, exp.Binary) else ():
        if isinstance(side, (exp.Column, exp.Window)):
            n = _rank_bound(condition, partial(operator.is_, side))
            if n is not None:
                return side, n
    return None
