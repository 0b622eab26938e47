"""The one Top-N / deduplication detector: a ranking window (``ROW_NUMBER`` / ``RANK`` /
``DENSE_RANK``) filtered to a range of ranks (``= 1``, ``<= n``, ``< n``, ``= n``, ``BETWEEN m
AND n``: Flink's Rank takes any constant range with an upper bound), in QUALIFY or in the WHERE of the
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

from shiftleft.tree import cte_query, find_all

#: ranking functions Flink recognises in the Top-N pattern
RANKING = (exp.RowNumber, exp.Rank, exp.DenseRank)


@dataclass(frozen=True)
class RankRange:
    """The ranks a filter keeps, ``start`` to ``n`` (both included, ``1 <= start <= n``)."""

    start: int
    n: int

    @property
    def single(self) -> bool:
        """One rank only (``rn = n``): its row number is a constant."""
        return self.start == self.n

    @property
    def top1(self) -> bool:
        """Only the first row per partition: what Flink can plan as a deduplication."""
        return self.start == self.n == 1

    @property
    def label(self) -> str:
        """``Top-3``; ``rank 2`` or ``ranks 2-4`` when the range does not start at 1."""
        if self.start == 1:
            return f"Top-{self.n}"
        return f"rank {self.n}" if self.single else f"ranks {self.start}-{self.n}"

    def condition(self, rank: exp.Expr) -> exp.Expr:
        """The filter keeping this range of ``rank``: ``= n``, ``<= n`` or ``BETWEEN``."""
        if self.single:
            return exp.EQ(this=rank, expression=exp.Literal.number(self.n))
        if self.start == 1:
            return exp.LTE(this=rank, expression=exp.Literal.number(self.n))
        return exp.Between(this=rank, low=exp.Literal.number(self.start), high=exp.Literal.number(self.n))


@dataclass(frozen=True)
class TopNFilter:
    """A ranking window filtered to a range of ranks: Flink's Top-N / dedup shape."""

    window: exp.Window
    #: the comparison that filters the rank (in QUALIFY or the outer WHERE)
    condition: exp.Expr
    #: the ranks kept per partition
    ranks: RankRange

    @property
    def n(self) -> int:
        """The highest rank kept."""
        return self.ranks.n


def _int_literal(node: exp.Expr) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        return int(node.this)
    return None


def _rank_bound(cmp: exp.Expr | None, is_rank: Callable[[exp.Expr], bool]) -> RankRange | None:
    """The ranks ``cmp`` keeps when it bounds the rank from above by an integer (``= n``,
    ``<= n``, ``< n``, ``BETWEEN m AND n``), else None."""
    if isinstance(cmp, exp.Between):
        low, high = _int_literal(cmp.args["low"]), _int_literal(cmp.args["high"])
        if is_rank(cmp.this) and low is not None and high is not None and 1 <= low <= high:
            return RankRange(low, high)
        return None
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
        return RankRange(value, value) if value >= 1 else None
    if kind is exp.LTE:
        return RankRange(1, value) if value >= 1 else None
    if kind is exp.LT:
        return RankRange(1, value - 1) if value >= 2 else None
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
        ranks = _rank_bound(parent, lambda e: e is window or (isinstance(e, exp.Paren) and e.this is window))
        if ranks is not None and parent is not None and any(c is parent for c in conjuncts(scope.this)):
            return TopNFilter(window, parent, ranks)
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

            ranks = _rank_bound(cond, is_rank)
            if ranks is not None:
                return TopNFilter(window, cond, ranks)
    for push in _pushes_reading(parent.parent):
        if push.window is window:
            return TopNFilter(window, push.condition, push.ranks)
    return None


@dataclass(frozen=True)
class RankPush:
    """A rank filter in a query's WHERE, or in a join's ON, that can move down to the ranked
    input it filters: ``... JOIN ranked AS r ... WHERE r.rn = 1`` is ``... JOIN (SELECT * FROM
    ranked AS r WHERE r.rn = 1) AS r ...`` once no outer join null-extends ``r``."""

    #: the ranked input as the query reads it: a CTE reference (Table) or a Subquery
    source: exp.Expr
    #: the WHERE or ON conjunct filtering the rank
    condition: exp.Expr
    window: exp.Window
    #: the rank column's name (the ranked query's projection alias)
    column: str
    #: the ranks kept per partition
    ranks: RankRange
    #: the join whose ON holds the condition (None: the WHERE)
    on: exp.Join | None = None
    #: the outer joins that null-extend the input, with the side it is on (left / right): a
    #: WHERE condition on ``r`` drops those rows, so the joins reduce (:func:`reduced_sides`)
    reduced: tuple[tuple[exp.Join, str], ...] = ()


def _side(join: exp.Join) -> str:
    return (join.side or "").upper()


def _plain(join: exp.Join) -> bool:
    """An inner / outer / cross join of a table or subquery (no SEMI / ANTI, no LATERAL)."""
    return (join.kind or "").upper() in ("", "INNER", "OUTER", "CROSS") and isinstance(
        join.this, (exp.Table, exp.Subquery)
    )


def _extenders(joins: list[exp.Join], index: int) -> list[tuple[exp.Join, str]]:
    """The joins that null-extend input ``index`` (0: the FROM, i: ``joins[i - 1]``'s input),
    each with the side of it the input is on: ``right`` for its own LEFT / FULL join,
    ``left`` for a later RIGHT / FULL join."""
    found: list[tuple[exp.Join, str]] = []
    if index >= 1 and _side(joins[index - 1]) in ("LEFT", "FULL"):
        found.append((joins[index - 1], "right"))
    found.extend((join, "left") for join in joins[index:] if _side(join) in ("RIGHT", "FULL"))
    return found


def reduced_sides(pushes: list[RankPush]) -> list[tuple[exp.Join, str]]:
    """Each outer join the WHERE filters of ``pushes`` reduce, with its new side: a WHERE
    condition that rejects NULLs of an input drops the rows a join null-extends it with, so a
    LEFT join becomes inner when its right side is filtered, a FULL join RIGHT, and so on."""
    cleared: dict[int, tuple[exp.Join, set[str]]] = {}
    for push in pushes:
        for join, side in push.reduced:
            cleared.setdefault(id(join), (join, set()))[1].add(side)
    out = []
    for join, sides in cleared.values():
        null_left = _side(join) in ("RIGHT", "FULL") and "left" not in sides
        null_right = _side(join) in ("LEFT", "FULL") and "right" not in sides
        out.append((join, "FULL" if null_left and null_right else "RIGHT" if null_left else "LEFT" if null_right else ""))
    return out


def _on_pushable(joins: list[exp.Join], index: int, join_at: int) -> bool:
    """An ON conjunct of ``joins[join_at]`` on input ``index`` filters that input before the
    join: its own inner or LEFT join (the input is the right side), or the FROM in the first
    join when that is inner or RIGHT (the FROM is its left side)."""
    side = _side(joins[join_at])
    if index == join_at + 1:
        return side in ("", "LEFT")
    return index == 0 and join_at == 0 and side in ("", "RIGHT")


def _ranked_input(source: exp.Expr) -> exp.Select | None:
    """The SELECT that ``source`` (a CTE reference or a subquery) reads, when it has a name
    without a column list."""
    alias = source.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.columns:
        return None
    if isinstance(source, exp.Subquery) and source.alias:
        inner = source.this
    elif isinstance(source, exp.Table):
        inner = cte_query(source)
    else:
        return None
    return inner if isinstance(inner, exp.Select) else None


def _ranking_window(projection: exp.Alias) -> exp.Window | None:
    """The ranking window ``projection`` aliases (through parentheses), or None."""
    window = projection.this
    while isinstance(window, exp.Paren):
        window = window.this
    return window if isinstance(window, exp.Window) and isinstance(window.this, RANKING) else None


def _ranking(select: exp.Select, column: str) -> exp.Window | None:
    """The ranking window ``select`` projects as ``column``."""
    for projection in select.expressions:
        if isinstance(projection, exp.Alias) and projection.alias.lower() == column:
            return _ranking_window(projection)
    return None


def _ranks_any(select: exp.Select) -> bool:
    """:func:`_ranking` finds a window for some column of ``select`` (one pass: the first
    projection of each alias counts)."""
    seen: set[str] = set()
    for projection in select.expressions:
        if not isinstance(projection, exp.Alias) or projection.alias.lower() in seen:
            continue
        seen.add(projection.alias.lower())
        if _ranking_window(projection) is not None:
            return True
    return False


def _bounded_column(cond: exp.Expr) -> tuple[exp.Column, RankRange] | None:
    """The column ``cond`` bounds as a rank (``= n``, ``<= n``, ``< n``, ``n >= col``,
    ``BETWEEN m AND n``) and the ranks it keeps."""
    found = rank_bound(cond)
    if found is None or not isinstance(found[0], exp.Column) or isinstance(found[0].this, exp.Star):
        return None
    return found[0], found[1]


def rank_pushes(select: exp.Select) -> list[RankPush]:
    """The rank filters that can move into the ranked input they filter (one per input, the
    first found): a CTE reference or a subquery projecting the column as ``ROW_NUMBER`` /
    ``RANK`` / ``DENSE_RANK``, the column qualified with the input's name, filtered

    * in the WHERE: the outer joins that null-extend the input are reduced (a LEFT join
      becomes inner, ...: the WHERE drops the rows they null-extend);
    * in the ON of the input's own inner or LEFT join (or of the first inner / RIGHT join,
      for the FROM).

    Only in queries with joins of tables and subqueries: over a single input the filter
    already sits over the ranked query."""
    joins = list(select.args.get("joins") or [])
    source = select.args.get("from_")
    if not joins or source is None or not all(_plain(j) for j in joins):
        return []  # a single input: the filter already sits over the ranked query
    inputs = [source.this, *(j.this for j in joins)]
    ranked_inputs = [_ranked_input(s) for s in inputs]
    if not any(r is not None and _ranks_any(r) for r in ranked_inputs):
        return []  # no input projects a ranking (most joins): the filters are not read
    index_of = {s.alias_or_name.lower(): i for i, s in enumerate(inputs) if s.alias_or_name}
    where = select.args.get("where")
    places: list[tuple[exp.Expr, exp.Join | None]] = [
        (c, None) for c in conjuncts(where.this if where is not None else None)
    ]
    on_at: dict[int, int] = {}  # id(join) -> its position (by identity: joins may be equal)
    for at, join in enumerate(joins):
        on_at[id(join)] = at
        places.extend((c, join) for c in conjuncts(join.args.get("on")))
    pushes: dict[str, RankPush] = {}
    for cond, on in places:
        bounded = _bounded_column(cond)
        name = bounded[0].table.lower() if bounded is not None else ""
        index = index_of.get(name)
        if bounded is None or index is None or name in pushes:
            continue
        if on is not None and not _on_pushable(joins, index, on_at[id(on)]):
            continue
        ranked = ranked_inputs[index]
        window = _ranking(ranked, bounded[0].name.lower()) if ranked is not None else None
        if window is not None:
            reduced = () if on is not None else tuple(_extenders(joins, index))
            pushes[name] = RankPush(inputs[index], cond, window, bounded[0].name, bounded[1], on, reduced)
    return list(pushes.values())


def apply_rank_pushes(select: exp.Select, pushes: list[RankPush]) -> list[tuple[str, str]]:
    """Move each of ``pushes`` (found in ``select`` by :func:`rank_pushes`) into its input, as
    ``(SELECT * FROM <input> WHERE <filter>) AS <name>`` (the input keeps its name outside, so
    the query's columns still resolve, and inside, for the filter), drop it from the WHERE or
    ON that held it, and reduce the outer joins the WHERE filters make inner.  Returns the
    (old, new) side of each reduced join ("" for an inner join)."""
    changed = []
    for join, side in reduced_sides(pushes):
        changed.append((_side(join), side))
        join.set("side", side or None)
        if not side and (join.kind or "").upper() == "OUTER":
            join.set("kind", None)
    for push in pushes:
        _drop(push, select)
        name = push.source.alias_or_name
        holder = exp.Subquery(alias=exp.TableAlias(this=exp.to_identifier(name)))
        push.source.replace(holder)
        condition = push.ranks.condition(exp.column(push.column, table=name))
        holder.set("this", exp.select(exp.Star()).from_(push.source, copy=False).where(condition, copy=False))
    return changed


def _drop(push: RankPush, select: exp.Select) -> None:
    """Remove the pushed condition from the WHERE (or the ON) that held it."""
    holder = push.on if push.on is not None else select.args["where"]
    key = "on" if push.on is not None else "this"
    rest = [c for c in conjuncts(holder.args[key]) if c is not push.condition]
    if rest:
        holder.set(key, exp.and_(*rest, copy=False))
    elif push.on is not None:
        push.on.set("on", exp.true())  # the join keeps its (now trivial) condition
    else:
        select.set("where", None)


def with_rank_pushes(root: exp.Expr) -> exp.Expr:
    """``root``, or a copy of it with every pushable rank filter moved into its input (what
    Flink's planner does before it recognises a Top-N), for the derivation."""
    selects = [s for s in find_all(root, exp.Select) if s.args.get("joins")]
    if not any(rank_pushes(s) for s in selects):
        return root
    root = root.copy()
    for select in find_all(root, exp.Select):
        pushes = rank_pushes(select)
        if pushes:
            apply_rank_pushes(select, pushes)
    return root


def _pushes_reading(ranked: exp.Select) -> list[RankPush]:
    """The pushable rank filters (:func:`rank_pushes`) of the queries reading ``ranked``."""
    parent = ranked.parent
    readers: list[exp.Select] = []
    if isinstance(parent, exp.Subquery) and isinstance(parent.parent, (exp.From, exp.Join)):
        outer = parent.parent.parent
        readers = [outer] if isinstance(outer, exp.Select) else []
    elif isinstance(parent, exp.CTE) and parent.parent is not None and parent.parent.parent is not None:
        readers = [s for s in find_all(parent.parent.parent, exp.Select) if s.args.get("joins")]
    return [push for reader in readers for push in rank_pushes(reader) if push.window.parent_select is ranked]



def is_row_number(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber)


def rank_bound(condition: exp.Expr) -> tuple[exp.Expr, RankRange] | None:
    """(the row-number side, ranks kept) when ``condition`` bounds a column or window from
    above by an integer (the same bounds :func:`top_n_filter` accepts)."""
    if isinstance(condition, exp.Between):
        sides: tuple[exp.Expr, ...] = (condition.this,)
    elif isinstance(condition, exp.Binary):
        sides = (condition.this, condition.expression)
    else:
        sides = ()
    for side in sides:
        if isinstance(side, (exp.Column, exp.Window)):
            ranks = _rank_bound(condition, partial(operator.is_, side))
            if ranks is not None:
                return side, ranks
    return None
