"""Shared analysis for the streaming rules (not a rule file: its name starts with ``_``).

Rule files load it with :func:`load` below (a pack directory is not a Python package).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet

from sqlglot import exp

# the one Top-N / dedup detector, shared with the derivation (shiftleft.derive.rank)
from shiftleft.derive.rank import RANKING, TopNFilter, conjuncts, top_n_filter  # noqa: F401
from shiftleft.derive.scope import window_definition  # noqa: F401
from shiftleft.rewrite import RuleContext
from shiftleft.rewrite.walk import own_nodes
from shiftleft.tree import find_all


def tables_in_scope(node: exp.Expr) -> list[exp.Table]:
    """Source tables of the query around ``node`` (its SELECT, nested queries included)."""
    select = node if isinstance(node, exp.Select) else node.find_ancestor(exp.Select)
    root = select if select is not None else node.root()
    return [t for t in find_all(root, exp.Table) if isinstance(t.this, exp.Identifier)]


def any_event_time(node: exp.Expr, ctx: RuleContext) -> bool:
    """True when some source table of ``node``'s query has a declared event-time column."""
    if not ctx.event_time:
        return False  # nothing declared: no need to look for the tables
    return any(ctx.event_time_column(t.name) for t in tables_in_scope(node))


def is_aggregated(select: exp.Select) -> bool:
    """True when ``select`` groups, de-duplicates or aggregates (time attributes are lost)."""
    if select.args.get("group") or select.args.get("distinct"):
        return True
    return any(
        not isinstance(agg.parent, exp.Window)
        for projection in select.expressions
        for agg in own_nodes(projection, exp.AggFunc)
    )


def column_sql(node: exp.Expr) -> str:
    """Flink SQL text of ``node`` for messages."""
    return node.sql("flink")


_RANGE = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)


class JoinInputs:
    """The FROM and JOIN inputs of one SELECT by position (0 = FROM, k = k-th join): their
    names (alias or table name, lower case) and where each name first occurs, so that "is
    this name left of join k" costs O(1) and a chain of n joins is analysed in O(n), not
    O(n^2).  Built once per SELECT and statement (see :func:`join_inputs`)."""

    def __init__(self, select: exp.Select) -> None:
        self.select = select
        self.joins: list[exp.Expr] = list(select.args.get("joins") or [])
        source = select.args.get("from_")
        self.source = source
        self.names = [_input_name(source.this) if source is not None else ""]
        self.names += [_input_name(join.this) for join in self.joins]
        self.first: dict[str, int] = {}
        for position, name in enumerate(self.names):
            self.first.setdefault(name, position)
        self._position = {id(join): k for k, join in enumerate(self.joins, start=1)}

    def position(self, join: exp.Expr) -> int | None:
        """The position of ``join`` (1-based), None when it is not (or no longer) here."""
        k = self._position.get(id(join))
        return k if k is not None and self.joins[k - 1] is join else None

    def current(self) -> bool:
        """False when the SELECT's inputs changed since this index was built."""
        joins = self.select.args.get("joins") or []
        return self.select.args.get("from_") is self.source and len(joins) == len(self.joins)

    def before(self, join: exp.Expr, *, keep_empty: bool = False) -> NamesBefore:
        k = self.position(join)
        assert k is not None
        return NamesBefore(self, k, keep_empty)


class NamesBefore(AbstractSet):
    """The (distinct) input names left of one join: a read-only set view of a
    :class:`JoinInputs` prefix; membership is O(1)."""

    def __init__(self, index: JoinInputs, end: int, keep_empty: bool) -> None:
        self._index, self._end, self._keep_empty = index, end, keep_empty

    def __contains__(self, name: object) -> bool:
        k = self._index.first.get(name) if isinstance(name, str) else None
        return k is not None and k < self._end and (self._keep_empty or name != "")

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for name in self._index.names[: self._end]:
            if name not in seen and (self._keep_empty or name):
                seen.add(name)
                yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @classmethod
    def _from_iterable(cls, it: Iterable[str]) -> set[str]:  # results of &, |, - are plain sets
        return set(it)


def _input_name(node: exp.Expr) -> str:
    return (node.alias_or_name or "").lower()


def join_inputs(join: exp.Join, memo: dict | None = None) -> JoinInputs | None:
    """The :class:`JoinInputs` of the SELECT that ``join`` belongs to (cached in ``memo``,
    e.g. ``ctx.memo``, and rebuilt when that SELECT's inputs changed); None when ``join``
    is not a join of a SELECT."""
    select = join.parent
    if not isinstance(select, exp.Select):
        return None
    key = ("join-inputs", id(select))
    index = memo.get(key) if memo is not None else None
    if index is None or index.select is not select or not index.current() or index.position(join) is None:
        index = JoinInputs(select)
        if index.position(join) is None:
            return None
        if memo is not None:
            memo[key] = index
    return index


def _join_sides(join: exp.Join, memo: dict | None = None) -> tuple[AbstractSet[str], set[str]]:
    """Names (alias or table name, lower case) of the inputs left of ``join`` and of its right."""
    index = join_inputs(join, memo)
    left: AbstractSet[str] = index.before(join) if index is not None else set()
    right = {join.this.alias_or_name.lower()} if join.this.alias_or_name else set()
    return left, right


def _range_table_sets(condition: exp.Expr | None) -> list[set[str]]:
    """For each range comparison in ``condition``: the table qualifiers it mentions."""
    if condition is None:
        return []
    return [{c.table.lower() for c in find_all(cmp, exp.Column) if c.table} for cmp in find_all(condition, _RANGE)]


def regular_join_sides(join: exp.Join, memo: dict | None = None) -> tuple[AbstractSet[str], set[str]] | None:
    """(names left of ``join``, its right name) when it is a regular join that keeps both
    sides in state forever; None for semi/anti joins, UNNEST / table functions, temporal
    joins (``FOR SYSTEM_TIME AS OF``) and interval joins (a range condition between both
    sides).

    ``memo`` (e.g. ``ctx.memo``) caches the inputs and the WHERE analysis shared by the joins
    of a SELECT."""
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
    left, right = _join_sides(join, memo)
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
    return left, right
