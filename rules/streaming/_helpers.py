"""Shared analysis for the streaming rules (not a rule file: its name starts with ``_``).

Rule files load it with :func:`load` below (a pack directory is not a Python package).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from shiftleft.rewrite import RuleContext

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
    kind = type(cmp)
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
    """The AND-ed parts of ``condition`` (parentheses removed)."""
    if condition is None:
        return []
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.And):
        return conjuncts(condition.this) + conjuncts(condition.expression)
    return [condition]


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
        n = _rank_bound(parent, lambda e: e is window or isinstance(e, exp.Paren) and e.this is window)
        if n is not None and any(c is parent for c in conjuncts(scope.this)):
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


def tables_in_scope(node: exp.Expr) -> list[exp.Table]:
    """Source tables of the query around ``node`` (its SELECT, nested queries included)."""
    select = node if isinstance(node, exp.Select) else node.find_ancestor(exp.Select)
    root = select if select is not None else node.root()
    return [t for t in root.find_all(exp.Table) if isinstance(t.this, exp.Identifier)]


def any_event_time(node: exp.Expr, ctx: RuleContext) -> bool:
    """True when some source table of ``node``'s query has a declared event-time column."""
    return any(ctx.event_time_column(t.name) for t in tables_in_scope(node))


def is_aggregated(select: exp.Select) -> bool:
    """True when ``select`` groups, de-duplicates or aggregates (time attributes are lost)."""
    if select.args.get("group") or select.args.get("distinct"):
        return True
    return any(
        agg.parent_select is select and not isinstance(agg.parent, exp.Window)
        for projection in select.expressions
        for agg in projection.find_all(exp.AggFunc)
    )


def column_sql(node: exp.Expr) -> str:
    """Flink SQL text of ``node`` for messages."""
    return node.sql("flink")


_RANGE = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)


def _join_sides(join: exp.Join) -> tuple[set[str], set[str]]:
    """Names (alias or table name, lower case) of the inputs left of ``join`` and of its right."""
    select = join.parent
    left: set[str] = set()
    if isinstance(select, exp.Select):
        source = select.args.get("from_")
        if source is not None and source.this.alias_or_name:
            left.add(source.this.alias_or_name.lower())
        for other in select.args.get("joins") or []:
            if other is join:
                break
            if other.this.alias_or_name:
                left.add(other.this.alias_or_name.lower())
    right = {join.this.alias_or_name.lower()} if join.this.alias_or_name else set()
    return left, right


def _range_table_sets(condition: exp.Expr | None) -> list[set[str]]:
    """For each range comparison in ``condition``: the table qualifiers it mentions."""
    if condition is None:
        return []
    return [{c.table.lower() for c in cmp.find_all(exp.Column) if c.table} for cmp in condition.find_all(*_RANGE)]


def regular_join_inputs(join: exp.Join, memo: dict | None = None) -> list[str] | None:
    """The input names of ``join`` when it is a regular join that keeps both sides in state
    forever; None for semi/anti joins, UNNEST / table functions, temporal joins
    (``FOR SYSTEM_TIME AS OF``) and interval joins (a range condition between both sides).

    ``memo`` (e.g. ``ctx.memo``) caches the WHERE analysis shared by the joins of a SELECT."""
    kind = str(join.args.get("kind") or "").upper()
    if kind in ("SEMI", "ANTI") or not isinstance(join.this, (exp.Table, exp.Subquery)):
        return None
    if isinstance(join.this, exp.Table) and (
        not isinstance(join.this.this, exp.Identifier) or join.this.args.get("version") is not None
    ):
        return None
    select = join.parent
    if not isinstance(select, exp.Select):
        return None
    left, right = _join_sides(join)
    key = ("where-range-tables", id(select))
    where_sets = memo.get(key) if memo is not None else None
    if where_sets is None:
        where = select.args.get("where")
        where_sets = _range_table_sets(where.this if where else None)
        if memo is not None:
            memo[key] = where_sets
    for tables in [*_range_table_sets(join.args.get("on")), *where_sets]:
        if tables & left and tables & right:
            return None
    return sorted(left | right)
