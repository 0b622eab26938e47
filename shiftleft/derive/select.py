"""Derive one SELECT from its already-derived inputs: joins and subqueries (:mod:`joins`),
filters, GROUP BY / DISTINCT / window aggregation, OVER, ROW_NUMBER dedup / Top-N (outer WHERE
or QUALIFY), ORDER BY ... LIMIT, projection."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.derive.joins import (
    Lookup,
    QueryTest,
    add_join,
    apply_where,
    has_query,
    source_alias,
    subquery_join,
    subquery_outside_where,
)
from shiftleft.derive.rank import RankRange, conjuncts, is_row_number, rank_bound
from shiftleft.derive.relation import Mode, RankSpec, Relation
from shiftleft.derive.scope import InternalRank, QCol, Scope, window_definition
from shiftleft.tree import children

UNKNOWN = Relation(mode=Mode.UPDATING, deletes=True, operator="unknown", reason="an input shiftleft cannot derive")


def _rank_of(window: exp.Window, scope: Scope) -> InternalRank:
    partition_by = list(window.args.get("partition_by") or [])
    resolved = [scope.resolve(p) for p in partition_by]
    partition = None if any(q is None for q in resolved) else tuple(q for q in resolved if q is not None)
    order = window.args.get("order")
    items = list(order.expressions) if order is not None else []
    time = descending = False
    if len(items) == 1:
        column = items[0].this if isinstance(items[0], exp.Ordered) else items[0]
        time = scope.resolve(column) in scope.time
        descending = bool(isinstance(items[0], exp.Ordered) and items[0].args.get("desc"))
    windowed = partition is not None and scope.windowed(set(partition))
    return InternalRank(partition, time, descending, windowed)


def _apply_rank(scope: Scope, rank: InternalRank, ranks: RankRange, rownum: QCol | None) -> None:
    """The Rank / Deduplicate operator Flink plans for a ROW_NUMBER filtered to ``ranks``.

    Keys as Flink 2.3 derives them: a Top-1 is keyed on its partition; a range of several
    ranks on the partition with the row number when that is projected; a single rank other
    than 1 (``rn = 2``) by neither (Flink projects its row number as a constant).  Any range
    but the first row keeps the input keys that contain the partition."""
    partition = frozenset(rank.partition) if rank.partition is not None else None
    keys: set[frozenset[QCol]] = set()
    if partition is not None:
        if ranks.top1 and partition:
            keys.add(partition)
        if rownum is not None and (ranks.top1 or not ranks.single):
            keys.add(partition | {rownum})
        if partition and not ranks.top1:  # a global Top-N keeps no input key, a Top-1 only its partition
            keys |= {k for k in scope.keys if k >= partition}
    global_top1 = ranks.top1 and partition is not None and not partition
    # a Top-N of one row stays that row, and keeps what made it one (a global Top-1: no key)
    scope.top1 = scope.top1 if scope.single_row else global_top1
    scope.single_row = scope.single_row or global_top1
    if ranks.single and rownum is not None:
        scope.constants.add(rownum)  # a single rank's row number is that rank
    if rank.windowed and scope.windows_unsure:  # a window or a regular Top-N: no key
        keys = set()
    elif rank.windowed and not scope.updating:
        scope.keys = keys
        scope.operator = "window Top-N"
        return
    scope.drop_windows(unsure=True)  # a regular Top-N may not carry them
    scope.joined = False
    scope.keys = {k for k in keys if k}
    scope.state.append("Top-N")
    if ranks.top1 and rank.order_time and not scope.updating:
        if not rank.descending:
            scope.operator, scope.reason = "dedup keep-first", "deduplication keeping the first row on event time"
            return
        scope.set_mode(Mode.UPDATING, "dedup keep-last", "deduplication keeping the last row per key", deletes=True)
        return
    scope.set_mode(Mode.UPDATING, "Top-N", "Top-N / deduplication not on an ascending event time", deletes=True)


def _rank_filters(scope: Scope, parts: list[exp.Expr]) -> list[exp.Expr]:
    """Apply filters on row-number columns of the sources; return the other parts."""
    rest = []
    for part in parts:
        found = rank_bound(part)
        q = scope.resolve(found[0]) if found is not None else None
        if q is not None and q in scope.ranks:
            _apply_rank(scope, scope.ranks.pop(q), found[1], q)  # type: ignore[index]
        else:
            rest.append(part)
    return rest


def _projections(select: exp.Select, scope: Scope) -> list[tuple[str, exp.Expr | None, QCol | None]]:
    """(output name, expression, source column when a plain reference) of each projection."""
    out: list[tuple[str, exp.Expr | None, QCol | None]] = []
    for i, projection in enumerate(select.expressions):
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        star_table = inner.table.lower() if isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star) else None
        if isinstance(inner, exp.Star) or star_table is not None:
            for alias, relation in scope.sources:
                if star_table and alias != star_table:
                    continue
                if relation.columns is None:
                    out.append(("*", None, (alias, "*")))
                    continue
                out.extend((c, None, (alias, c.lower())) for c in relation.columns)
            continue
        name = projection.alias_or_name or f"EXPR${i}"
        out.append((name, inner, scope.resolve(inner)))
    return out


def _output(scope: Scope, items: list[tuple[str, exp.Expr | None, QCol | None]]) -> Relation:
    """Project ``scope`` on ``items``: keys survive renames, die with a dropped column."""
    names: dict[QCol, str] = {}
    stars = {q[0] for _, _, q in items if q is not None and q[1] == "*"}
    for name, _, q in items:
        if q is not None and q[1] != "*":
            names.setdefault(q, name.lower())

    def mapped(q: QCol) -> str | None:
        return names.get(q) or (q[1] if q[0] in stars else None)

    keys: set[frozenset[str]] = set()
    for key in scope.keys:
        out = [mapped(q) for q in key]
        if all(out):
            keys.add(frozenset(n for n in out if n))
    ranks = {}
    for q, rank in scope.ranks.items():
        if mapped(q) is None:
            continue
        partition = None if rank.partition is None else tuple(mapped(p) for p in rank.partition)
        spec = RankSpec(
            partition=None if partition is None or not all(partition) else partition,  # type: ignore[arg-type]
            order_time="" if rank.order_time else None,
            descending=rank.descending,
            windowed=rank.windowed,
        )
        ranks[mapped(q)] = spec
    columns = None if stars and any(n == "*" for n, _, _ in items) else tuple(n for n, _, _ in items)
    return Relation(
        columns=columns,
        mode=scope.mode,
        deletes=scope.deletes and scope.updating,
        keys=frozenset(keys),
        time_attributes=frozenset(n for q in scope.time if (n := mapped(q))),
        rowtime=frozenset(n for q in scope.rowtime - scope.time if (n := mapped(q))),
        window_columns=frozenset(n for q in scope.windows if (n := mapped(q))),
        windows_unsure=scope.windows_unsure,
        joined=scope.joined,
        ranks=ranks,  # type: ignore[arg-type]
        single_row=scope.single_row,
        top1=scope.top1,
        constants=frozenset(n for q in scope.constants if (n := mapped(q))),
        operator=scope.operator,
        reason=scope.reason,
        state=tuple(dict.fromkeys(scope.state)),
    )


def _scan_projections(select: exp.Select) -> tuple[bool, list[exp.Window]]:
    """(an aggregate outside OVER, the OVER windows) of the projections, in one walk."""
    stack: list[exp.Expr] = list(select.expressions)
    aggregate, windows = False, []
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Window):
            windows.append(node)
            continue
        if isinstance(node, exp.AggFunc):
            aggregate = True
            continue
        if isinstance(node, (exp.Query, exp.Subquery, exp.Column, exp.Literal, exp.Identifier)):
            continue
        stack.extend(children(node))
    return aggregate, windows


def _aggregate(
    select: exp.Select, scope: Scope, items: list[tuple[str, exp.Expr | None, QCol | None]], aggregate: bool
) -> Relation:
    """``aggregate``: a projection holds an aggregate outside OVER (:func:`_scan_projections`)."""
    group = select.args.get("group")
    group_by = list(group.expressions) if group is not None else []
    distinct = bool(select.args.get("distinct")) and not group_by
    if distinct:
        group_by = [e for _, e, _ in items if e is not None]
    resolved = [scope.resolve(g) for g in group_by]
    constant = [q is not None and q in scope.constants for q in resolved]
    if any(constant):  # Flink drops constant group keys (a Top-1's row number)
        group_by = [g for g, c in zip(group_by, constant) if not c]
        resolved = [q for q, c in zip(resolved, constant) if not c]
    windowed = scope.windowed({q for q in resolved if q is not None})
    by_column = {q: n.lower() for n, _, q in reversed(items) if q is not None}
    names: list[str] | None = []
    for g, q in zip(group_by, resolved):
        # a group column projected as is, or a group expression projected (structural equality)
        name = by_column.get(q) if q is not None else next(
            (n.lower() for n, e, p in items if p is None and e is not None and e == g), None
        )
        if name is None:
            names = None
            break
        names.append(name)  # type: ignore[union-attr]
    keys = frozenset({frozenset(names)}) if names else frozenset()
    if scope.single_row:  # Flink removes an aggregation of one row: no upsert key
        keys = frozenset()
    having = select.args.get("having")
    if scope.joined and not aggregate and not (having is not None and having.find(exp.AggFunc)):
        # a DISTINCT over a join: the planner may push it below the join (cost-based) and
        # drop it, the join's keys (not derived here) then key the result
        keys = frozenset()
    columns = tuple(n for n, _, _ in items)
    having = select.args.get("having") is not None
    if windowed and scope.windows_unsure:  # a window or a regular aggregation: either mode, no key
        return Relation(columns=columns, mode=Mode.UPDATING, deletes=True, operator="GROUP BY",
                        reason="an aggregation on window columns the planner may no longer know as windows",
                        state=tuple(dict.fromkeys([*scope.state, "GROUP BY aggregation"])))
    if windowed:
        keys = frozenset()  # Flink gives a window aggregation no upsert key
        time = frozenset(n for n, _, q in items if q in scope.time)
        windows = frozenset(n.lower() for n, _, q in items if q in scope.windows)
        return Relation(columns=columns, keys=keys, time_attributes=time, window_columns=windows,
                        operator="window aggregation", reason="a window aggregation emits one final row per window",
                        state=tuple(dict.fromkeys(scope.state)))
    operator = "DISTINCT" if distinct else "GROUP BY" if group_by else "global aggregation"
    reason = {
        "DISTINCT": "SELECT DISTINCT updates its rows",
        "GROUP BY": "a non-windowed GROUP BY aggregation updates its rows",
        "global aggregation": "a global aggregate updates its single row",
    }[operator]
    if scope.updating:
        reason = f"{reason} (over an updating input: {scope.reason})"
    grouped_q = set(resolved)
    rowtime = frozenset(n.lower() for n, _, q in items if q in scope.rowtime and q in grouped_q)
    return Relation(columns=columns, mode=Mode.UPDATING, deletes=scope.updating or having, keys=keys, rowtime=rowtime,
                    operator=operator, reason=reason, single_row=not group_by or scope.single_row,
                    state=tuple(dict.fromkeys([*scope.state, f"{operator} aggregation"])))


def derive_select(select: exp.Select, lookup: Lookup, is_query: QueryTest = has_query) -> Relation:
    """``select``'s relation from its inputs' (``lookup``); ``is_query``: whether a node is or
    holds a query (by default a walk of it)."""
    scope = Scope()
    source = select.args.get("from_")
    where_parts = conjuncts(select.args["where"].this) if select.args.get("where") else []
    if source is not None:
        scope.add(source_alias(source.this), lookup(source.this))
    else:
        scope.add("_values", Relation(columns=()))
    for node in select.args.get("joins") or []:
        add_join(scope, node, lookup(node.this), where_parts)
    where_parts = _rank_filters(scope, where_parts)
    apply_where(scope, where_parts, lookup, is_query)
    joined = subquery_outside_where(select, is_query)
    if joined:
        subquery_join(scope)
    items = _projections(select, scope)
    aggregate, windows = _scan_projections(select)
    if select.args.get("group") or aggregate or select.args.get("distinct"):
        result = _aggregate(select, scope, items, aggregate)
        if joined:  # the subquery may join the aggregated rows: no key, no time attribute
            result = result.model_copy(update={
                "keys": frozenset(), "time_attributes": frozenset(), "rowtime": result.rowtime_columns,
                "mode": Mode.UPDATING, "deletes": True,
            })
        return _limit(select, result)
    qualify = select.args.get("qualify")
    if qualify is not None:
        _qualify(select, scope, items, conjuncts(qualify.this))
    _over(scope, windows)
    for name, expr, q in items:
        if is_row_number(expr) and q is None:
            scope.ranks[("_self", name.lower())] = _rank_of(expr, scope)  # type: ignore[arg-type]
    items = [(n, e, ("_self", n.lower()) if is_row_number(e) else q) for n, e, q in items]
    return _limit(select, _output(scope, items))


def _over(scope: Scope, windows: list[exp.Window]) -> None:
    """OVER aggregations: insert-only only over an insert-only input ordered by a time
    attribute (else Flink refuses them, or they update)."""
    for node in windows:
        if is_row_number(node):
            continue
        scope.drop_windows(unsure=True)
        scope.joined = False
        order = (window_definition(node) or node).args.get("order")
        items = list(order.expressions) if order is not None else []
        column = items[0].this if len(items) == 1 and isinstance(items[0], exp.Ordered) else None
        if column is None or scope.resolve(column) not in scope.time:
            scope.set_mode(Mode.UPDATING, "OVER", "an OVER aggregation not ordered by a time attribute", deletes=True)


def _qualify(select: exp.Select, scope: Scope, items: list, parts: list[exp.Expr]) -> None:
    windows = {n.lower(): e for n, e, _ in items if is_row_number(e)}
    for part in parts:
        found = rank_bound(part)
        if found is None:
            continue
        side, ranks = found
        window = side if is_row_number(side) else windows.get(side.name.lower()) if isinstance(side, exp.Column) else None
        if not isinstance(window, exp.Window):
            continue
        rownum = ("_self", side.name.lower()) if isinstance(side, exp.Column) else None
        _apply_rank(scope, _rank_of(window, scope), ranks, rownum)
        if rownum is not None:
            windows.pop(rownum[1], None)
            # the row number is projected: it keys the result with the partition
            items[:] = [(n, e, rownum if n.lower() == rownum[1] else q) for n, e, q in items]
        return
    if scope.updating:
        scope.deletes = True


def _limit(select: exp.Select, relation: Relation) -> Relation:
    limit = select.args.get("limit") or select.args.get("fetch")
    if limit is None:
        return relation
    relation = relation.model_copy(update={"window_columns": frozenset(), "windows_unsure": False, "joined": False})
    if select.args.get("order") is None:
        return relation.model_copy(update={"keys": frozenset(), "operator": "LIMIT" if not relation.updating else relation.operator})
    return relation.model_copy(update={
        "mode": Mode.UPDATING, "deletes": True, "keys": frozenset(),
        "operator": "ORDER BY ... LIMIT",
        "reason": relation.reason if relation.updating else "a global ORDER BY ... LIMIT (a Top-N over the whole stream) updates its rows",
        "state": (*relation.state, "Top-N"),
    })
