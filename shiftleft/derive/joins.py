"""Joins of one SELECT while it is derived: regular, interval and temporal joins, UNNEST /
LATERAL TABLE correlates, LATERAL subqueries, and the joins the planner makes of subqueries:
semi / anti joins from (NOT) EXISTS / (NOT) IN, and scalar subqueries (a join with their
result)."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from shiftleft.derive.rank import conjuncts
from shiftleft.derive.relation import Mode, Relation
from shiftleft.derive.scope import QCol, Scope, equi_pairs, filtered, is_interval, join_keys
from shiftleft.tree import children

Lookup = Callable[[exp.Expr], Relation]
#: whether a node is, or holds, a query
QueryTest = Callable[[exp.Expr], bool]


def source_alias(node: exp.Expr) -> str:
    if isinstance(node, exp.Table) and node.alias:
        return node.alias.lower()
    if isinstance(node, exp.Table):
        return node.name.lower()
    return (node.alias or "").lower()


def _correlate(scope: Scope, join: exp.Join, relation: Relation) -> None:
    """UNNEST / LATERAL TABLE: one input row fans out; its keys are lost."""
    alias = source_alias(join.this) or f"_unnest{len(scope.sources)}"
    scope.add(alias, relation.model_copy(update={"keys": frozenset(), "time_attributes": frozenset()}))
    scope.keys = set()
    scope.state.append("UNNEST join")  # a correlate: an IN over it is planned as a regular join


def add_join(scope: Scope, join: exp.Join, relation: Relation, where: list[exp.Expr]) -> None:
    right = join.this
    if isinstance(right, exp.Lateral) and isinstance(right.this, (exp.Subquery, exp.Query)):
        _lateral_join(scope, join, relation)
        return
    if isinstance(right, (exp.Unnest, exp.Lateral)) or (
        isinstance(right, exp.Table) and isinstance(right.this, exp.Anonymous) and right.name.upper() != "TABLE"
    ):
        _correlate(scope, join, relation)
        return
    alias = source_alias(right) or f"_join{len(scope.sources)}"
    left_mode, left_keys, left_time = scope.mode, set(scope.keys), set(scope.time)
    both_windowed = bool(scope.windows) and bool(relation.window_columns)
    left_single = scope.single_row and not scope.top1  # Flink keys no global Top-1
    on = join.args.get("on")
    parts = conjuncts(on) if on is not None else list(where)
    scope.add(alias, relation)
    scope.drop_windows(unsure=both_windowed)  # a window join keeps them, any other join not
    right_keys = {frozenset((alias, c) for c in k) for k in relation.keys}
    pairs = equi_pairs(parts, scope, alias)
    side = (join.side or "").upper()
    kind = (join.kind or "").upper()
    if kind in ("SEMI", "ANTI"):
        scope.time = left_time
        _semi(scope, relation, pairs[0], anti=kind == "ANTI", keys=left_keys)
        return
    if isinstance(right, exp.Table) and right.args.get("version") is not None:
        scope.time = left_time
        scope.rowtime = {q for q in scope.rowtime if q[0] != alias}  # the versioned side is cast
        scope.keys = filtered(left_keys, pairs[0])
        scope.operator = scope.operator if scope.updating else "temporal join"
        scope.state.append("temporal join")
        return
    both_insert = left_mode is Mode.INSERT_ONLY and not relation.updating
    if both_insert and is_interval(parts, scope, alias):
        scope.keys = set()
        scope.joined = True
        scope.operator, scope.reason = "interval join", "an interval join of append-only inputs"
        scope.state.append("interval join")
        return
    scope.time = set()
    scope.state.append("regular join")
    scope.joined = True
    scope.keys = join_keys((left_keys, left_single), (right_keys, relation.single_row and not relation.top1), pairs, side)
    if side in ("LEFT", "RIGHT", "FULL"):
        scope.set_mode(Mode.UPDATING, f"{side} JOIN", f"a regular {side} OUTER JOIN retracts its null-padded rows", deletes=True)
    elif relation.updating:
        scope.set_mode(Mode.UPDATING, "JOIN", f"a regular join with an updating input ({relation.reason})", deletes=True)


def _lateral_join(scope: Scope, join: exp.Join, relation: Relation) -> None:
    """A LATERAL subquery: the planner decorrelates it into a regular join with the
    subquery's result (an aggregate per outer row becomes a join with a GROUP BY): updating
    when the subquery updates or the join is outer; no key (the join condition is the
    correlation, not read here); time attributes materialized."""
    lateral = join.this
    alias = source_alias(lateral) or source_alias(lateral.this) or f"_lateral{len(scope.sources)}"
    scope.add(alias, relation.model_copy(update={"keys": frozenset(), "time_attributes": frozenset()}))
    scope.keys, scope.time = set(), set()
    scope.drop_windows()
    scope.state.append("regular join")
    scope.joined = True
    side = (join.side or "").upper()
    if side in ("LEFT", "RIGHT", "FULL"):
        scope.set_mode(Mode.UPDATING, f"{side} JOIN LATERAL", f"a {side} OUTER JOIN with a LATERAL subquery retracts its null-padded rows", deletes=True)
    elif relation.updating:
        scope.set_mode(Mode.UPDATING, "LATERAL", f"a join with a LATERAL subquery that updates ({relation.reason})", deletes=True)


def _semi(scope: Scope, relation: Relation, left_cols: set[QCol], *, anti: bool, keys: set[frozenset[QCol]]) -> None:
    scope.sources = scope.sources[:-1] if scope.sources and scope.sources[-1][1] is relation else scope.sources
    # no equi condition (an uncorrelated EXISTS): a join with an aggregate of the subquery, no key
    scope.keys = filtered(keys, left_cols) if left_cols else set()
    scope.time = set()  # a semi / anti join is a regular join: time attributes are materialized
    scope.drop_windows(unsure=bool(relation.window_columns))  # a window semi join keeps them
    joined = any("join" in s for s in [*scope.state, *relation.state])  # either side
    if anti:
        scope.set_mode(Mode.UPDATING, "anti join", "NOT EXISTS / NOT IN retracts a row when a match arrives", deletes=True)
    elif relation.updating:
        scope.set_mode(Mode.UPDATING, "semi join", f"EXISTS / IN over an updating input ({relation.reason})", deletes=True)
    elif not left_cols:
        scope.set_mode(Mode.UPDATING, "semi join", "EXISTS without an equality to the outer query is planned as a join with an aggregate", deletes=True)
    elif joined:  # Flink may plan it as a join with the distinct right side: updating
        scope.keys = set()
        scope.set_mode(Mode.UPDATING, "semi join", "EXISTS / IN over a join result (planned as a join with an aggregated side)", deletes=True)
    scope.state.append("anti join" if anti else "semi join")


def _outer_columns(subquery: exp.Expr, scope: Scope) -> set[QCol]:
    """Columns of ``scope`` a correlated subquery equates with its own (qualified refs)."""
    found: set[QCol] = set()
    stack = [subquery]
    aliases = {a for a, _ in scope.sources}
    while stack:
        node = stack.pop()
        if isinstance(node, exp.EQ):
            for side in (node.this, node.expression):
                if isinstance(side, exp.Column) and side.table.lower() in aliases:
                    q = scope.resolve(side)
                    if q is not None:
                        found.add(q)
        stack.extend(children(node))
    return found


def has_query(node: exp.Expr) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (exp.Query, exp.Subquery)):
            return True
        stack.extend(children(current))
    return False


def subquery_join(scope: Scope) -> None:
    """A scalar / nested subquery (outside EXISTS / IN of the WHERE) is a regular join of the
    input with the subquery's result (a LEFT OUTER join for a projected value): updating, no
    key kept (the join has no equi condition, or one we do not read), time attributes
    materialized."""
    scope.keys = set()
    scope.time = set()
    scope.drop_windows()
    scope.state.append("subquery join")
    scope.set_mode(Mode.UPDATING, "subquery", "a scalar / nested subquery is a regular join with its result", deletes=True)


def subquery_outside_where(select: exp.Select, is_query: QueryTest = has_query) -> bool:
    """A subquery in the projections, a join's ON, GROUP BY, HAVING, QUALIFY or ORDER BY."""
    holders = [*select.expressions, *(j.args.get("on") for j in select.args.get("joins") or [])]
    holders.extend(select.args.get(k) for k in ("group", "having", "qualify", "order"))
    return any(h is not None and is_query(h) for h in holders)


def apply_where(scope: Scope, parts: list[exp.Expr], lookup: Lookup, is_query: QueryTest = has_query) -> None:
    for part in parts:
        negated = isinstance(part, exp.Not)
        inner = part.this if negated else part
        query = inner.this if isinstance(inner, exp.Exists) else inner.args.get("query") if isinstance(inner, exp.In) else None
        if query is not None:
            relation = lookup(query)
            left = scope.columns_of(inner.this) if isinstance(inner, exp.In) else _outer_columns(query, scope)
            # NOT IN is null-aware: no equi-join condition, and no key survives
            keys = set() if negated and isinstance(inner, exp.In) else set(scope.keys)
            _semi(scope, relation, left, anti=negated, keys=keys)
        elif is_query(part):
            subquery_join(scope)
        else:
            if scope.columns_of(part) & scope.constants:
                # a filter on a constant (a single rank's row number) may fold to an always
                # false condition: the planner plans an empty VALUES, with no key
                scope.keys = set()
            if scope.updating:
                scope.deletes = True  # a filter over updates: a row can stop matching
