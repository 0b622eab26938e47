"""The input of one SELECT while it is derived: its sources (FROM, joins) by alias, with
qualified key / time-attribute columns, and the join rules that combine them.

Join key rules follow Flink's ``FlinkRelMdUpsertKeys``: after the hash exchange on the join
keys, a side's upsert key survives only when it contains that side's join keys; the output
is keyed on (left key + right key), and on the left key alone when the right side is unique
on its join keys (inner / left join), symmetrically for the right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from shiftleft.derive.relation import Mode, Relation
from shiftleft.tree import children

QCol = tuple[str, str]  # (source alias, column), lower-cased


@dataclass
class InternalRank:
    partition: tuple[QCol, ...] | None
    order_time: bool
    descending: bool
    windowed: bool


class _SourceNames:
    """Who has which column among a scope's sources, in source order: the aliases, the
    aliases of the sources whose columns include each name (one entry per source, as
    ``Relation.has_column`` answers), and those whose columns are unknown."""

    def __init__(self, sources: list[tuple[str, Relation]]) -> None:
        self.sources, self.count = sources, 0
        self.aliases: set[str] = set()
        self.by_name: dict[str, list[str]] = {}
        self.unknown: list[str] = []

    def catch_up(self) -> None:
        """Index the sources appended since the last call."""
        added, self.count = self.sources[self.count :], len(self.sources)
        for alias, relation in added:
            self.aliases.add(alias)
            if relation.columns is None:
                self.unknown.append(alias)
                continue
            for name in {c.lower() for c in relation.columns}:
                self.by_name.setdefault(name, []).append(alias)


@dataclass
class Scope:
    sources: list[tuple[str, Relation]] = field(default_factory=list)
    mode: Mode = Mode.INSERT_ONLY
    deletes: bool = False
    keys: set[frozenset[QCol]] = field(default_factory=set)
    time: set[QCol] = field(default_factory=set)
    rowtime: set[QCol] = field(default_factory=set)
    windows: set[QCol] = field(default_factory=set)
    window_partition: set[QCol] = field(default_factory=set)
    windows_unsure: bool = False
    joined: bool = False
    ranks: dict[QCol, InternalRank] = field(default_factory=dict)
    single_row: bool = False
    top1: bool = False
    constants: set[QCol] = field(default_factory=set)
    operator: str = "scan"
    reason: str = "an append-only source"
    state: list[str] = field(default_factory=list)
    _index: _SourceNames | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def updating(self) -> bool:
        return self.mode is Mode.UPDATING

    def set_mode(self, mode: Mode, operator: str, reason: str, *, deletes: bool = False) -> None:
        """Record ``operator``'s mode: an updating result stays updating."""
        if mode is Mode.UPDATING and not self.updating:
            self.mode, self.operator, self.reason = mode, operator, reason
        self.deletes = self.deletes or deletes

    def add(self, alias: str, relation: Relation) -> None:
        """Add a source (the first one: FROM) with its keys, time attributes and ranks."""
        alias = alias.lower()
        self.sources.append((alias, relation))
        if len(self.sources) == 1:
            self.mode, self.deletes = relation.mode, relation.deletes
            self.operator, self.reason = relation.operator, relation.reason
            self.keys = {frozenset((alias, c) for c in k) for k in relation.keys}
            self.single_row, self.top1 = relation.single_row, relation.top1
            self.joined = relation.joined
        else:
            self.single_row = self.top1 = False
        self.windows_unsure = self.windows_unsure or relation.windows_unsure
        self.constants |= {(alias, c) for c in relation.constants}
        self.time |= {(alias, c) for c in relation.time_attributes}
        self.rowtime |= {(alias, c) for c in relation.rowtime_columns}
        self.windows |= {(alias, c) for c in relation.window_columns}
        self.window_partition |= {(alias, c) for c in relation.window_partition}
        self.state.extend(relation.state)
        for name, spec in relation.ranks.items():
            partition = None if spec.partition is None else tuple((alias, p.lower()) for p in spec.partition)
            self.ranks[(alias, name)] = InternalRank(
                partition, spec.order_time is not None, spec.descending, spec.windowed
            )

    def drop_windows(self, unsure: bool = False) -> None:
        """An operator the planner does not carry window properties through (a regular,
        interval or temporal join, a semi join, a scalar subquery's join): window_start /
        window_end become plain columns.  ``unsure``: it may carry them (a join of two
        windowed inputs can be a window join), so they stay, marked unsure."""
        if unsure and self.windows:
            self.windows_unsure = True
            return
        self.windows, self.window_partition, self.windows_unsure = set(), set(), False

    def windowed(self, columns: set[QCol]) -> bool:
        """``columns`` (a GROUP BY / PARTITION BY) hold window_start, window_end and a
        SESSION window's partition columns: a window aggregation / Top-N."""
        return len(columns & self.windows) >= 2 and self.window_partition <= columns

    def relation_of(self, alias: str) -> Relation | None:
        for name, relation in self.sources:
            if name == alias:
                return relation
        return None

    def _names(self) -> _SourceNames:
        """The index of :attr:`sources` (rebuilt when the list changed)."""
        index = self._index
        if index is None or index.sources is not self.sources or index.count > len(self.sources):
            index = self._index = _SourceNames(self.sources)
        index.catch_up()  # sources are appended one join at a time: index only the new ones
        return index

    def resolve(self, column: exp.Expr, only: str | None = None) -> QCol | None:
        """The source column ``column`` reads (None: not a plain column of this scope)."""
        if not isinstance(column, exp.Column) or isinstance(column.this, exp.Star):
            return None
        name, table = column.name.lower(), column.table.lower()
        if only is None:  # by the index: a column costs O(1), not O(sources) (a chain of n joins)
            index = self._names()
            if table:
                return (table, name) if table in index.aliases else None
            known = index.by_name.get(name, [])
            if len(known) == 1:
                return (known[0], name)
            return (index.unknown[0], name) if not known and len(index.unknown) == 1 else None
        sources = [(a, r) for a, r in self.sources if a == only]
        if table:
            return (table, name) if any(a == table for a, _ in sources) else None
        known = [a for a, r in sources if r.has_column(name)]
        if len(known) == 1:
            return (known[0], name)
        unknown = [a for a, r in sources if r.columns is None]
        if not known and len(unknown) == 1:
            return (unknown[0], name)
        return None

    def columns_of(self, node: exp.Expr) -> set[QCol]:
        """Every scope column ``node`` references (iterative walk)."""
        found: set[QCol] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, exp.Column):
                q = self.resolve(current)
                if q is not None:
                    found.add(q)
                continue
            if isinstance(current, exp.Query):
                continue
            stack.extend(children(current))
        return found


def equi_pairs(parts: list[exp.Expr], scope: Scope, right: str) -> tuple[set[QCol], set[QCol]]:
    """(left join columns, right join columns) of the equalities in ``parts``."""
    left_cols: set[QCol] = set()
    right_cols: set[QCol] = set()
    for part in parts:
        if not isinstance(part, exp.EQ):
            continue
        a, b = scope.resolve(part.this), scope.resolve(part.expression)
        if a is None or b is None:
            continue
        if a[0] == right and b[0] != right:
            a, b = b, a
        if b[0] == right and a[0] != right:
            left_cols.add(a)
            right_cols.add(b)
    return left_cols, right_cols


def filtered(keys: set[frozenset[QCol]], join_columns: set[QCol]) -> set[frozenset[QCol]]:
    return {k for k in keys if k >= join_columns}


def unique_on(keys: set[frozenset[QCol]], columns: set[QCol]) -> bool:
    return any(k <= columns for k in keys)


def join_keys(
    left: tuple[set[frozenset[QCol]], bool],
    right: tuple[set[frozenset[QCol]], bool],
    pairs: tuple[set[QCol], set[QCol]],
    side: str,
) -> set[frozenset[QCol]]:
    """The upsert keys of a regular join (``side``: '', LEFT, RIGHT, FULL); each side is
    (its keys, whether it is a single row)."""
    left_cols, right_cols = pairs
    if not left_cols:  # no equi-join condition: Flink keeps no key
        return set()
    left_f, right_f = filtered(left[0], left_cols), filtered(right[0], right_cols)
    keys = {lk | rk for lk in left_f for rk in right_f}
    if side in ("", "INNER", "LEFT") and left_cols and (right[1] or unique_on(right[0], right_cols)):
        keys |= left_f
    if side in ("", "INNER", "RIGHT") and right_cols and (left[1] or unique_on(left[0], left_cols)):
        keys |= right_f
    return {k for k in keys if k}


def _time_side(node: exp.Expr, scope: Scope, right: str) -> str | None:
    """'l' / 'r' when ``node`` references time attributes of one side only."""
    sides = {"r" if q[0] == right else "l" for q in scope.columns_of(node) if q in scope.time}
    return sides.pop() if len(sides) == 1 else None


def is_interval(parts: list[exp.Expr], scope: Scope, right: str) -> bool:
    """The conditions bound the right side's time attribute by the left's from both sides
    (``r.ts BETWEEN l.ts - x AND l.ts + y``, or two comparisons)."""
    lower = upper = False
    for part in parts:
        if isinstance(part, exp.Between):
            sides = {_time_side(part.this, scope, right)}
            bounds = {_time_side(part.args["low"], scope, right), _time_side(part.args["high"], scope, right)}
            if len(sides) == 1 and None not in sides and len(bounds) == 1 and None not in bounds and sides != bounds:
                return True
            continue
        if not isinstance(part, (exp.GT, exp.GTE, exp.LT, exp.LTE)):
            continue
        a, b = _time_side(part.this, scope, right), _time_side(part.expression, scope, right)
        if a is None or b is None or a == b:
            continue
        greater = isinstance(part, (exp.GT, exp.GTE))
        if a == "r":  # r.ts > l-expr: a lower bound of r
            lower, upper = lower or greater, upper or not greater
        else:
            lower, upper = lower or not greater, upper or greater
    return lower and upper


def window_definition(window: exp.Window, select: exp.Select | None = None) -> exp.Window | None:
    """The window's own definition, or the named one it refers to (``OVER w`` with ``WINDOW w
    AS (...)`` in ``select``, by default its own SELECT); None for a refinement of a named
    window (``OVER (w ORDER BY ...)``) or a name no WINDOW clause defines."""
    name = window.args.get("alias")
    if name is None:
        return window
    if any(window.args.get(k) for k in ("partition_by", "order", "spec")):
        return None  # ``OVER (w ORDER BY ...)``: a refinement of a named window
    select = select if select is not None else window.parent_select
    wanted = name.name.lower()
    for named in (select.args.get("windows") if select is not None else None) or []:
        if isinstance(named.this, exp.Identifier) and named.this.name.lower() == wanted:
            return named
    return None
