"""The one Top-N / deduplication detector: ``ROW_NUMBER() OVER (...)`` filtered by ``rn = 1`` /
``rn <= N`` / ``rn < N`` (in an outer WHERE or in QUALIFY).

Used by the derivation (:mod:`shiftleft.derive.select`) and by the streaming rules that
report or rewrite dedup / Top-N shapes, so that both see the same patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp


@dataclass(frozen=True)
class RankFilter:
    """A filter on a row number: ``column`` (or the inline window) limited to ``limit`` rows."""

    #: the ROW_NUMBER window (``Window(this=RowNumber)``)
    window: exp.Window
    #: the number of rows kept per partition (None: not a literal bound)
    limit: int | None
    #: the filtered row-number column name (None: an inline window in QUALIFY)
    column: str | None
    #: the comparison that filters it
    condition: exp.Expr


def is_row_number(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber)


def _bound(op: exp.Expr, value: exp.Expr, flipped: bool) -> int | None:
    """The number of rows ``rn <op> value`` keeps (``value <op> rn`` when ``flipped``)."""
    if not (isinstance(value, exp.Literal) and not value.is_string):
        return None
    try:
        n = int(value.this)
    except ValueError:
        return None
    kind = type(op)
    if flipped:
        kind = {exp.GTE: exp.LTE, exp.GT: exp.LT, exp.LTE: exp.GTE, exp.LT: exp.GT}.get(kind, kind)
    if kind is exp.EQ:
        return n if n == 1 else None
    if kind is exp.LTE:
        return n
    if kind is exp.LT:
        return n - 1
    return None


def rank_bound(condition: exp.Expr) -> tuple[exp.Expr, int | None] | None:
    """(the row-number side, rows kept) when ``condition`` bounds a row number from above."""
    if not isinstance(condition, (exp.EQ, exp.LTE, exp.LT, exp.GTE, exp.GT)):
        return None
    left, right = condition.this, condition.expression
    if isinstance(left, (exp.Column, exp.Window)):
        bound = _bound(condition, right, flipped=False)
        if bound is not None or isinstance(condition, (exp.LTE, exp.LT)):
            return left, bound
    if isinstance(right, (exp.Column, exp.Window)):
        bound = _bound(condition, left, flipped=True)
        if bound is not None or isinstance(condition, (exp.GTE, exp.GT)):
            return right, bound
    return None


def conjuncts(condition: exp.Expr | None) -> list[exp.Expr]:
    """The AND-ed parts of ``condition`` (iterative, parentheses dropped)."""
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


def _projected_windows(select: exp.Select) -> dict[str, exp.Window]:
    out: dict[str, exp.Window] = {}
    for projection in select.expressions:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if is_row_number(inner) and projection.alias_or_name:
            out[projection.alias_or_name.lower()] = inner  # type: ignore[assignment]
    return out


def qualify_rank(select: exp.Select) -> RankFilter | None:
    """The row-number filter of ``select``'s QUALIFY clause."""
    qualify = select.args.get("qualify")
    if qualify is None:
        return None
    windows = _projected_windows(select)
    for part in conjuncts(qualify.this):
        found = rank_bound(part)
        if found is None:
            continue
        side, limit = found
        if is_row_number(side):
            return RankFilter(window=side, limit=limit, column=None, condition=part)  # type: ignore[arg-type]
        if isinstance(side, exp.Column) and side.name.lower() in windows:
            return RankFilter(window=windows[side.name.lower()], limit=limit, column=side.name, condition=part)
    return None


def subquery_rank(select: exp.Select) -> RankFilter | None:
    """The row-number filter of ``SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (...) AS rn
    FROM t) WHERE rn <= N`` (the filter in ``select``'s WHERE)."""
    where = select.args.get("where")
    source = select.args.get("from_")
    if where is None or source is None or not isinstance(source.this, exp.Subquery):
        return None
    inner = source.this.this
    if not isinstance(inner, exp.Select):
        return None
    windows = _projected_windows(inner)
    for part in conjuncts(where.this):
        found = rank_bound(part)
        if found is None:
            continue
        side, limit = found
        if isinstance(side, exp.Column) and side.name.lower() in windows:
            return RankFilter(window=windows[side.name.lower()], limit=limit, column=side.name, condition=part)
    return None


def find_rank(select: exp.Select) -> RankFilter | None:
    """The dedup / Top-N filter ``select`` applies (QUALIFY or an outer WHERE), if any."""
    return qualify_rank(select) or subquery_rank(select)


def is_time_order(window: exp.Window, time_columns: set[str]) -> tuple[bool, bool]:
    """(orders by exactly one column of ``time_columns``, descending)."""
    order = window.args.get("order")
    items = list(order.expressions) if order is not None else []
    if len(items) != 1:
        return False, False
    item = items[0]
    column = item.this if isinstance(item, exp.Ordered) else item
    descending = bool(isinstance(item, exp.Ordered) and item.args.get("desc"))
    return isinstance(column, exp.Column) and column.name.lower() in time_columns, descending
