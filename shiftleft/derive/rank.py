"""The one Top-N / deduplication detector: a ranking window (``ROW_NUMBER`` / ``RANK`` /
``DENSE_RANK``) filtered ``= 1`` / ``<= n`` / ``< n``, in QUALIFY or in the WHERE of the
query reading it (a FROM subquery or a CTE), or in the WHERE of a query joining it, where
the filter can move down to the ranked input (:func:`rank_pushes`, the rewrite SL4015 does).

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
    for push in _pushes_reading(parent.parent):
        if push.window is window:
            return TopNFilter(window, push.condition, push.n)
    return None


@dataclass(frozen=True)
class RankPush:
    """A rank filter in a query's WHERE that can move down to the ranked input it filters:
    ``... JOIN ranked AS r ... WHERE r.rn = 1`` is ``... JOIN (SELECT * FROM ranked AS r
    WHERE r.rn = 1) AS r ...`` when no outer join null-extends ``r``."""

    #: the ranked input as the query reads it: a CTE reference (Table) or a Subquery
    source: exp.Expr
    #: the WHERE conjunct filtering the rank
    condition: exp.Expr
    window: exp.Window
    #: the rank column's name (the ranked query's projection alias)
    column: str
    #: how many rows per partition survive
    n: int


def _kept_sources(select: exp.Select) -> list[exp.Expr]:
    """The FROM and JOIN inputs of ``select`` whose rows no outer join null-extends (a WHERE
    filter on them equals the same filter applied to the input before the joins)."""
    source = select.args.get("from_")
    if source is None:
        return []
    joins = list(select.args.get("joins") or [])
    sides = [(j.side or "").upper() for j in joins]
    kinds = [(j.kind or "").upper() for j in joins]
    kept: list[exp.Expr] = []
    if not {"RIGHT", "FULL"} & set(sides):
        kept.append(source.this)
    for index, join in enumerate(joins):
        later = set(sides[index + 1 :])
        if not sides[index] and kinds[index] in ("", "INNER", "CROSS") and not {"RIGHT", "FULL"} & later:
            kept.append(join.this)
    return kept


def _cte_query(table: exp.Table) -> exp.Expr | None:
    """The query of the CTE ``table`` names (innermost WITH in scope), or None."""
    if table.args.get("db") is not None:
        return None
    name = table.name.lower()
    node: exp.Expr | None = table
    while node is not None:
        with_ = node.args.get("with_") if isinstance(node, exp.Query) else None
        for cte in with_.expressions if with_ is not None else []:
            if cte.alias.lower() == name:
                return cte.this
        node = node.parent
    return None


def _ranked_input(source: exp.Expr) -> exp.Select | None:
    """The SELECT that ``source`` (a CTE reference or a subquery) reads, when it has a name
    without a column list."""
    alias = source.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.columns:
        return None
    if isinstance(source, exp.Subquery) and source.alias:
        inner = source.this
    elif isinstance(source, exp.Table):
        inner = _cte_query(source)
    else:
        return None
    return inner if isinstance(inner, exp.Select) else None


def _ranking(select: exp.Select, column: str) -> exp.Window | None:
    """The ranking window ``select`` projects as ``column``."""
    for projection in select.expressions:
        if isinstance(projection, exp.Alias) and projection.alias.lower() == column:
            window = projection.this
            while isinstance(window, exp.Paren):
                window = window.this
            if isinstance(window, exp.Window) and isinstance(window.this, RANKING):
                return window
            return None
    return None


def _between_bound(cond: exp.Expr) -> tuple[exp.Column, int] | None:
    """``col BETWEEN 1 AND n``: a rank (at least 1) bounded by n."""
    if not isinstance(cond, exp.Between) or not isinstance(cond.this, exp.Column):
        return None
    low, high = _int_literal(cond.args["low"]), _int_literal(cond.args["high"])
    if low != 1 or high is None or high < 1:
        return None
    return cond.this, high


def _bounded_column(cond: exp.Expr) -> tuple[exp.Column, int] | None:
    """The column ``cond`` bounds as a rank (``= 1``, ``<= n``, ``< n``, ``n >= col``,
    ``BETWEEN 1 AND n``) and the rows it keeps."""
    between = _between_bound(cond)
    if between is not None:
        return between
    for side in (cond.this, cond.expression) if isinstance(cond, exp.Binary) else ():
        if isinstance(side, exp.Column) and not isinstance(side.this, exp.Star):
            n = _rank_bound(cond, partial(operator.is_, side))
            if n is not None:
                return side, n
    return None


def rank_pushes(select: exp.Select) -> list[RankPush]:
    """The rank filters of ``select``'s WHERE that can move into the ranked input they filter
    (one per input, the first in the WHERE): the input is the FROM or an inner JOIN source no
    outer join null-extends, a CTE or a subquery projecting the column as ``ROW_NUMBER`` /
    ``RANK`` / ``DENSE_RANK``; the column is qualified with the input's name.  Only in queries with
    joins: over a single input the filter already sits over the ranked query."""
    where = select.args.get("where")
    if where is None or not select.args.get("joins"):
        return []  # a single input: the filter already sits over the ranked query
    sources = {s.alias_or_name.lower(): s for s in _kept_sources(select) if s.alias_or_name}
    pushes: dict[str, RankPush] = {}
    for cond in conjuncts(where.this):
        bounded = _bounded_column(cond)
        if bounded is None:
            continue
        column, n = bounded
        name = column.table.lower()
        source = sources.get(name)
        ranked = _ranked_input(source) if source is not None and name not in pushes else None
        window = _ranking(ranked, column.name.lower()) if ranked is not None else None
        if window is not None and source is not None:
            pushes[name] = RankPush(source, cond, window, column.name, n)
    return list(pushes.values())


def _pushes_reading(ranked: exp.Select) -> list[RankPush]:
    """The pushable rank filters (:func:`rank_pushes`) of the queries reading ``ranked``."""
    parent = ranked.parent
    readers: list[exp.Select] = []
    if isinstance(parent, exp.Subquery) and isinstance(parent.parent, (exp.From, exp.Join)):
        outer = parent.parent.parent
        readers = [outer] if isinstance(outer, exp.Select) else []
    elif isinstance(parent, exp.CTE) and parent.parent is not None and parent.parent.parent is not None:
        readers = [s for s in parent.parent.parent.find_all(exp.Select) if s.args.get("joins")]
    return [push for reader in readers for push in rank_pushes(reader) if push.window.parent_select is ranked]



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
