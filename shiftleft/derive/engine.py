"""The derivation driver: an explicit post-order walk over a query's relational operators
(no Python recursion: a 500-deep nesting derives like a flat query).

Relational nodes: SELECT, UNION / INTERSECT / EXCEPT, subqueries, table scans (a catalog
table, a CTE, a window TVF ``TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))``), UNNEST,
LATERAL and VALUES.  Each node's :class:`Relation` is computed once its inputs are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

from sqlglot import exp

from shiftleft.derive.rank import rank_pushes, with_rank_pushes
from shiftleft.derive.relation import Mode, Relation
from shiftleft.derive.select import UNKNOWN, derive_select
from shiftleft.tree import children, cte_query

log = logging.getLogger(__name__)

#: the window table-valued functions
WINDOW_TVFS = frozenset({"TUMBLE", "HOP", "CUMULATE", "SESSION"})
_RELATIONAL = (exp.Select, exp.SetOperation, exp.Subquery, exp.Table, exp.Unnest, exp.Lateral, exp.Values)
#: the query nodes (``exp.Query``'s classes); and nodes that never hold one
_QUERIES = (exp.Select, exp.SetOperation, exp.Subquery)
_LEAVES = (exp.Column, exp.Literal, exp.Identifier)


def query_of(statement: exp.Expr) -> exp.Expr:
    """The query a statement runs (what an INSERT writes, a CREATE ... AS selects)."""
    if isinstance(statement, (exp.Insert, exp.Create)) and isinstance(statement.expression, exp.Query):
        return statement.expression
    return statement


def _window_call(table: exp.Table) -> exp.Anonymous | None:
    call = table.this
    if not (isinstance(call, exp.Anonymous) and call.name.upper() == "TABLE" and call.expressions):
        return None
    inner = call.expressions[0]
    return inner if isinstance(inner, exp.Anonymous) and inner.name.upper() in WINDOW_TVFS else None


def _window_input(call: exp.Anonymous) -> exp.Expr | None:
    for arg in call.expressions:
        if type(arg).__name__ == "TableArgument":
            return arg.this
    return None


def query_holders(root: exp.Expr, holders: set[int], queries: set[int]) -> None:
    """Add to ``holders`` the ids of the nodes of ``root``'s tree (``root`` included) that
    have a query (a SELECT, a set operation, a subquery) strictly below them, and to
    ``queries`` those of its queries, in one walk: a node not in ``holders`` has no query
    below it, so the walks looking for nested queries skip its subtree.  Valid while the tree
    is not changed (one derivation)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, _QUERIES):
            queries.add(id(node))
            parent = node.parent if node is not root else None
            while parent is not None and id(parent) not in holders:
                holders.add(id(parent))
                parent = None if parent is root else parent.parent
        elif isinstance(node, _LEAVES):
            continue
        stack.extend(children(node))


def _nested_queries(node: exp.Expr, skip: set[int], holders: set[int]) -> Iterator[exp.Expr]:
    """Relational children of ``node`` that are not its FROM / joins: subqueries in WHERE,
    projections, QUALIFY... (stops at each query found; enters only the ``holders`` of one,
    see :func:`query_holders`)."""
    stack = [c for c in children(node) if id(c) not in skip]
    while stack:
        current = stack.pop()
        if isinstance(current, _QUERIES):
            yield current
            continue
        if id(current) not in holders or isinstance(current, exp.With):
            continue
        stack.extend(children(current))


def _lateral_query(node: exp.Expr) -> bool:
    """``LATERAL (SELECT ...)``: a correlated subquery the planner decorrelates into a join."""
    return isinstance(node, exp.Lateral) and isinstance(node.this, (exp.Subquery, exp.Query))


def _dependencies(node: exp.Expr, holders: set[int]) -> list[exp.Expr]:
    deps: list[exp.Expr] = []
    with_ = node.args.get("with_") if isinstance(node, exp.Query) else None
    if with_ is not None:
        deps.extend(cte.this for cte in with_.expressions)
    if isinstance(node, exp.Subquery) or _lateral_query(node):
        deps.append(node.this)
    elif isinstance(node, exp.SetOperation):
        deps.extend((node.left, node.right))
    elif isinstance(node, exp.Select):
        source = node.args.get("from_")
        skip = {id(with_)} if with_ is not None else set()
        if source is not None:
            deps.append(source.this)
            skip.add(id(source))
        for join in node.args.get("joins") or []:
            deps.append(join.this)
            deps.extend(_nested_queries(join, {id(join.this)}, holders))
            skip.add(id(join))
        deps.extend(_nested_queries(node, skip, holders))
    elif isinstance(node, exp.Table):
        call = _window_call(node)
        target = _window_input(call) if call is not None else cte_query(node)
        if target is not None:
            deps.append(target)
    return deps


def _rename(relation: Relation, alias: exp.Expr | None) -> Relation:
    """Apply ``AS t(c1, c2, ...)`` column aliases."""
    columns = [c.name for c in alias.args.get("columns") or []] if isinstance(alias, exp.TableAlias) else []
    if not columns or relation.columns is None or len(columns) != len(relation.columns):
        return relation
    mapping = {old.lower(): new.lower() for old, new in zip(relation.columns, columns)}

    def rename(names: frozenset[str]) -> frozenset[str]:
        return frozenset(mapping.get(n, n) for n in names)

    return relation.model_copy(update={
        "columns": tuple(columns),
        "keys": frozenset(rename(k) for k in relation.keys),
        "time_attributes": rename(relation.time_attributes),
        "rowtime": rename(relation.rowtime),
        "window_columns": rename(relation.window_columns),
        "constants": rename(relation.constants),
        "ranks": {mapping.get(n, n): r for n, r in relation.ranks.items()},
    })


def _descriptor(call: exp.Anonymous) -> frozenset[str]:
    for node in call.find_all(exp.Column):
        if type(node.parent).__name__ == "DescriptorArgument":
            return frozenset({node.name.lower()})
    return frozenset()


def _session_partition(call: exp.Anonymous) -> frozenset[str]:
    for arg in call.expressions:
        if type(arg).__name__ == "TableArgument":
            return frozenset(
                p.name.lower() for p in arg.args.get("partition_by") or [] if isinstance(p, exp.Column)
            )
    return frozenset()


def _window(relation: Relation, call: exp.Anonymous) -> Relation:
    kind = call.name.upper()
    columns = None if relation.columns is None else (*relation.columns, "window_start", "window_end", "window_time")
    return relation.model_copy(update={
        "columns": columns,
        "keys": relation.keys if kind == "TUMBLE" and not relation.updating else frozenset(),
        "single_row": False,
        # the DESCRIPTOR column becomes a plain timestamp; other time attributes stay
        "time_attributes": (relation.time_attributes - _descriptor(call)) | {"window_time"},
        "rowtime": relation.rowtime - _descriptor(call),
        "window_columns": frozenset({"window_start", "window_end"}),
        "window_partition": _session_partition(call) if kind == "SESSION" else frozenset(),
        "windows_unsure": False,
        "joined": False,
        "ranks": {},
    })


class _Deriver:
    def __init__(self, catalog: Mapping[str, Relation]) -> None:
        self.catalog = {k.lower(): v for k, v in catalog.items()}
        self.results: dict[int, Relation] = {}
        #: :func:`query_holders` of the trees derived: the root's, and those of the CTE
        #: bodies it reads outside it (a rule deriving part of a statement)
        self.holders: set[int] = set()
        self.covered: set[int] = set()

    def lookup(self, node: exp.Expr) -> Relation:
        return self.results.get(id(node), UNKNOWN)

    def table(self, node: exp.Table) -> Relation:
        call = _window_call(node)
        if call is not None:
            inner = _window_input(call)
            return _window(self.lookup(inner) if inner is not None else UNKNOWN, call)
        if isinstance(node.this, exp.Anonymous):
            return _rename(Relation(operator="table function", reason="a table function"), node.args.get("alias"))
        cte = cte_query(node)
        if cte is not None:
            return _rename(self.lookup(cte), node.args.get("alias"))
        names = [".".join(p.name for p in node.parts).lower(), node.name.lower()]
        for name in names:
            if name in self.catalog:
                return _rename(self.catalog[name], node.args.get("alias"))
        return Relation(operator="scan", reason=f"{node.name} (not in the catalog) is read as an append-only source")

    def has_query(self, node: exp.Expr) -> bool:
        """``node`` is, or has below it, a query (:func:`query_holders`)."""
        return isinstance(node, _QUERIES) or id(node) in self.holders

    def compute(self, node: exp.Expr) -> Relation:
        if isinstance(node, exp.Subquery) or _lateral_query(node):
            return _rename(self.lookup(node.this), node.args.get("alias"))
        if isinstance(node, exp.Table):
            return self.table(node)
        if isinstance(node, exp.Select):
            return derive_select(node, self.lookup, self.has_query)
        if isinstance(node, exp.SetOperation):
            return _set_operation(node, self.lookup(node.left), self.lookup(node.right))
        columns = [c.name for c in node.args["alias"].args.get("columns") or []] if isinstance(node.args.get("alias"), exp.TableAlias) else None
        return Relation(columns=tuple(columns) if columns else None, operator=node.key, reason=f"{node.key.upper()} of an input row")

    def run(self, root: exp.Expr, pushed: bool = False) -> Relation | None:
        """``root``'s relation; None (unless ``pushed``: the rank filters are already moved)
        when a SELECT has a rank filter Flink moves into its input (:func:`rank_pushes`),
        for the caller to derive the moved tree instead."""
        query_holders(root, self.holders, self.covered)
        stack: list[tuple[exp.Expr, bool]] = [(root, False)]
        pending: set[int] = set()
        while stack:
            node, ready = stack.pop()
            if id(node) in self.results:
                continue
            if ready:
                self.results[id(node)] = self.compute(node)
                pending.discard(id(node))
                continue
            if id(node) in pending:  # a cycle (a recursive CTE): left unknown
                continue
            if id(node) not in self.covered and isinstance(node, _QUERIES):  # a CTE outside root
                query_holders(node, self.holders, self.covered)
            if not pushed and isinstance(node, exp.Select) and node.args.get("joins") and rank_pushes(node):
                return None
            pending.add(id(node))
            stack.append((node, True))
            stack.extend((d, False) for d in _dependencies(node, self.holders) if id(d) not in self.results and id(d) not in pending)
        return self.lookup(root)


def _set_operation(node: exp.SetOperation, left: Relation, right: Relation) -> Relation:
    updating = left.updating or right.updating
    columns = left.columns
    time: frozenset[str] = frozenset()
    rowtime: frozenset[str] = frozenset()
    pairs: list[tuple[str, str]] = []  # (left, right) column of each position, when both are known
    if left.columns is not None and right.columns is not None and len(left.columns) == len(right.columns):
        pairs = [(a.lower(), b.lower()) for a, b in zip(left.columns, right.columns)]
        time = frozenset(a for a, b in pairs if a in left.time_attributes and b in right.time_attributes)
        rowtime = frozenset(
            a for a, b in pairs if a in left.rowtime_columns or b in right.rowtime_columns
        ) - time
    distinct = node.args.get("distinct") is not False
    name = {exp.Union: "UNION", exp.Intersect: "INTERSECT", exp.Except: "EXCEPT"}.get(type(node), "UNION")
    state = tuple(dict.fromkeys([*left.state, *right.state]))
    if isinstance(node, exp.Union) and not distinct:
        worst = left if left.updating else right
        # the planner may carry window properties through a UNION ALL (same windows) or not
        windows = frozenset(a for a, b in pairs if a in left.window_columns and b in right.window_columns)
        return Relation(
            columns=columns, mode=worst.mode, deletes=left.deletes or right.deletes,
            time_attributes=time, rowtime=rowtime, window_columns=windows, windows_unsure=bool(windows),
            operator="UNION ALL" if updating else worst.operator,
            reason=f"UNION ALL with an updating input ({worst.reason})" if updating else "UNION ALL of append-only inputs",
            state=state,
        )
    everything = frozenset(c.lower() for c in columns or ())
    keys = frozenset({everything}) if columns and distinct else frozenset()
    if not isinstance(node, exp.Union) and (left.keys or left.single_row or left.window_columns):
        # INTERSECT / EXCEPT is a semi / anti join on every column under a DISTINCT; the
        # planner drops that DISTINCT when the left side may already be unique (an
        # aggregation, a window aggregation, one row), and the join keeps only a left key
        # holding every column
        keys = frozenset({everything}) & left.keys if distinct else frozenset()
    # Flink keeps the rowtime type through the set operation (not usable as time attribute)
    rowtime = rowtime | time if isinstance(node, exp.Union) else left.rowtime_columns
    return Relation(
        columns=columns, mode=Mode.UPDATING, deletes=True, keys=keys, rowtime=rowtime,
        operator=name if distinct else f"{name} ALL",
        reason=f"{name}{'' if distinct else ' ALL'} keeps state per row and updates its result",
        state=(*state, f"{name} state"),
    )


def derive(statement: exp.Expr, catalog: Mapping[str, Relation] | None = None) -> Relation:
    """The streaming :class:`Relation` of a Flink query (or of what an INSERT / CTAS writes).

    ``catalog``: the tables the query may read (lower-cased name -> Relation): sources,
    views and parent models already derived.  A table not in it is an append-only source."""
    root = query_of(statement)
    if not isinstance(root, _RELATIONAL):
        return Relation(operator=root.key, reason="not a query")
    found = _Deriver(catalog or {}).run(root)
    if found is None:  # derived as Flink plans it: with the rank filters moved (rare)
        found = _Deriver(catalog or {}).run(with_rank_pushes(root), pushed=True)
    assert found is not None
    return found
