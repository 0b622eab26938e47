"""Shared join analysis for the streaming join rules SL4010-SL4012 (not a rule file: its name
starts with ``_``).

* which inputs a join has on each side, and which of their columns are *time attributes*
  (a declared event-time column of a source table, also through subqueries and CTEs that
  project it unchanged);
* whether a join's ON condition is a Flink *interval join* (exactly one lower and one upper
  bound between the two sides' time attributes, with literal offsets);
* whether it is Spark's *point-in-time* join against a validity range
  (``f.ts >= d.valid_from AND (f.ts < d.valid_to OR d.valid_to IS NULL)``);
* which output columns of a query are still time attributes (what a sink sees).

Rule files load it with :func:`load` (a pack directory is not a Python package).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from sqlglot import exp

from shiftleft.rewrite import RuleContext
from shiftleft.rewrite.packs import pack_module
from shiftleft.tree import cte_query

_H = pack_module(__file__, "_helpers")
conjuncts = _H.conjuncts
join_inputs = _H.join_inputs

_RANGE = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)
_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE}
_TIME_UNITS = {"DAY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "WEEK"}



def unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


# -- inputs and their time attributes --------------------------------------------------------


def inputs(select: exp.Select) -> list[tuple[str, exp.Expr]]:
    """The FROM and JOIN inputs of ``select`` in order: (alias or name in lower case, node)."""
    found: list[tuple[str, exp.Expr]] = []
    source = select.args.get("from_")
    if source is not None:
        found.append(((source.this.alias_or_name or "").lower(), source.this))
    for join in select.args.get("joins") or []:
        found.append(((join.this.alias_or_name or "").lower(), join.this))
    return found


def sides(join: exp.Join, memo: dict | None = None) -> tuple[AbstractSet[str], dict[str, exp.Expr]]:
    """Names (lower case) of the inputs left of ``join``, and the join's own input by alias.

    The left names are a set view over the SELECT's inputs cached in ``memo`` (e.g.
    ``ctx.memo``): O(1) to get and to query, so a chain of n joins costs O(n)."""
    index = join_inputs(join, memo)
    left: AbstractSet[str] = index.before(join, keep_empty=True) if index is not None else set()
    right = {(join.this.alias_or_name or "").lower(): join.this}
    return left, right


def time_attributes(source: exp.Expr, ctx: RuleContext, depth: int = 0) -> set[str]:
    """Names (lower case) of the columns of input ``source`` that are time attributes."""
    if depth > 8:
        return set()
    if isinstance(source, exp.Table):
        if not isinstance(source.this, exp.Identifier):
            return set()  # TABLE(...) functions, UNNEST
        if not source.db:
            cte = cte_query(source)
            if cte is not None:
                return {name for _, name in output_time_attributes(cte, ctx, depth + 1)}
        column = ctx.event_time_column(source.name)
        return {column.lower()} if column else set()
    if isinstance(source, exp.Subquery):
        return {name for _, name in output_time_attributes(source.this, ctx, depth + 1)}
    return set()


def resolve(column: exp.Column, select: exp.Select) -> exp.Expr | None:
    """The input of ``select`` that ``column`` reads (by qualifier); None when unknown."""
    by_name = dict(inputs(select))
    if column.table:
        return by_name.get(column.table.lower())
    return None


def is_time_attribute(column: exp.Expr, select: exp.Select, ctx: RuleContext) -> bool:
    """True when ``column`` is a time attribute of one of ``select``'s inputs."""
    column = unparen(column)
    if not isinstance(column, exp.Column) or isinstance(column.this, exp.Star):
        return False
    name = column.name.lower()
    if column.table:
        source = resolve(column, select)
        return source is not None and name in time_attributes(source, ctx)
    matches = [s for _, s in inputs(select) if name in time_attributes(s, ctx)]
    return len(matches) == 1


def join_kind(join: exp.Join, ctx: RuleContext) -> str:
    """'temporal', 'interval', 'lateral' (UNNEST / table function / semi / anti) or 'regular'."""
    kind = str(join.args.get("kind") or "").upper()
    this = join.this
    if kind in ("SEMI", "ANTI") or not isinstance(this, (exp.Table, exp.Subquery)):
        return "lateral"
    if isinstance(this, exp.Table):
        if not isinstance(this.this, exp.Identifier):
            return "lateral"
        if this.args.get("version") is not None:
            return "temporal"
    if interval_join(join, ctx).kind == "interval":
        return "interval"
    return "regular"


def output_time_attributes(query: exp.Expr, ctx: RuleContext, depth: int = 0) -> list[tuple[exp.Expr, str]]:
    """The projections of ``query`` that are time attributes in its output, with their output
    names (lower case), in select-list order.  A ``*`` projection yields one entry per time
    attribute it expands to.  Aggregations and regular joins materialize time attributes
    (Flink turns them into plain TIMESTAMPs), so they yield nothing; the versioned side of a
    temporal join neither."""
    if not isinstance(query, exp.Select) or depth > 8 or not ctx.event_time:
        return []  # (without a declared event time there is no time attribute)
    from_ = query.args.get("from_")
    if from_ is None or _H.is_aggregated(query):
        return []
    excluded: set[str] = set()
    for join in query.args.get("joins") or []:
        kind = join_kind(join, ctx)
        if kind == "regular":
            return []
        if kind == "temporal":
            excluded.add((join.this.alias_or_name or "").lower())
    sources = [(n, s) for n, s in inputs(query) if n not in excluded]
    attrs = {n: time_attributes(s, ctx, depth) for n, s in sources}
    found: list[tuple[exp.Expr, str]] = []
    for projection in query.expressions:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(inner, exp.Star):
            found.extend((projection, name) for n, _ in sources for name in sorted(attrs[n]))
            continue
        if not isinstance(inner, exp.Column):
            continue
        if isinstance(inner.this, exp.Star):
            found.extend((projection, name) for name in sorted(attrs.get(inner.table.lower(), ())))
            continue
        name = inner.name.lower()
        if inner.table:
            hit = name in attrs.get(inner.table.lower(), set())
        else:
            hit = sum(name in a for a in attrs.values()) == 1
        if hit:
            found.append((projection, projection.alias_or_name.lower()))
    return found


# -- interval joins --------------------------------------------------------------------------


@dataclass
class TimeTerm:
    """``column [+ offset]``: a time attribute of one side, shifted by a literal offset."""

    column: exp.Column
    side: str  # "left" | "right"
    #: a Spark date bound (TIMESTAMPADD(DAY, n, CAST(ts AS DATE))) to write as FLOOR(ts TO DAY) + n
    date_days: int | None = None


@dataclass
class IntervalJoin:
    #: "interval" (Flink plans an IntervalJoin), "fallback" (time-range predicates that Flink
    #: cannot use: a regular join), or "none" (no range predicate between both sides' times)
    kind: str
    reasons: list[str] = field(default_factory=list)
    #: the two bounds, as (right time term, operator, left time term, predicate node)
    bounds: list[tuple[exp.Expr, exp.Expr]] = field(default_factory=list)
    #: date-style bound expressions to rewrite: node -> replacement
    rewrites: list[tuple[exp.Expr, exp.Expr]] = field(default_factory=list)


def _literal_int(node: exp.Expr) -> int | None:
    node = unparen(node)
    if isinstance(node, exp.Neg):
        value = _literal_int(node.this)
        return -value if value is not None else None
    if isinstance(node, exp.Literal) and node.this.lstrip("-").isdigit():
        return int(node.this)
    return None


def _literal_interval(node: exp.Expr) -> bool:
    node = unparen(node)
    if not isinstance(node, exp.Interval):
        return False
    unit = node.text("unit").upper().rstrip("S")
    value = node.this
    if isinstance(value, exp.Literal) and value.is_string:
        text = value.this.strip()
        # INTERVAL '1' HOUR, or a unit-less Spark literal INTERVAL '1 hour'
        return (unit in _TIME_UNITS and text.lstrip("-").isdigit()) or (not unit and bool(text))
    return unit in _TIME_UNITS and _literal_int(value) is not None


def _fn_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).upper()
    return ""


class _NotTime(Exception):
    """A bound that Flink cannot use for an interval join (message: why)."""


def time_term(node: exp.Expr, select: exp.Select, left: set[str], right: set[str], ctx: RuleContext) -> TimeTerm:
    """``node`` as a time attribute plus a literal offset, or raise :class:`_NotTime`."""
    node = unparen(node)
    if isinstance(node, exp.Column):
        qualifier = node.table.lower()
        side = "left" if qualifier in left else "right" if qualifier in right else ""
        if not side:
            raise _NotTime(f"{ctx.sql(node)} is not a column of either join input")
        if not is_time_attribute(node, select, ctx):
            raise _NotTime(f"{ctx.sql(node)} is not a time attribute (no declared event time)")
        return TimeTerm(node, side)
    if isinstance(node, (exp.Add, exp.Sub)):
        if not _literal_interval(node.expression):
            raise _NotTime(f"the offset {ctx.sql(node.expression)} is not a literal interval")
        term = time_term(node.this, select, left, right, ctx)
        if term.date_days is not None:
            raise _NotTime(f"{ctx.sql(node)} mixes a date and an interval")
        return term
    if isinstance(node, exp.Floor) and node.args.get("to") is not None:
        return time_term(node.this, select, left, right, ctx)
    # TIMESTAMPADD(unit, n, x): Flink's own form, or SL1011/SL1012's date_add / date_sub
    if isinstance(node, exp.TimestampAdd):
        unit, amount, target = node.args.get("unit"), node.expression, node.this
    elif _fn_name(node) == "TIMESTAMPADD" and len(node.expressions) == 3:
        unit, amount, target = node.expressions
    else:
        raise _NotTime(f"{ctx.sql(node)} is not a time attribute plus a literal interval")
    n = _literal_int(amount)
    if n is None:
        raise _NotTime(f"the offset {ctx.sql(amount)} is not a literal")
    target = unparen(target)
    if isinstance(target, exp.Cast) and target.to.is_type(exp.DataType.Type.DATE):
        if unit.name.upper() != "DAY":
            raise _NotTime(f"{ctx.sql(node)} is not a time attribute plus a literal interval")
        term = time_term(target.this, select, left, right, ctx)
        term.date_days = n
        return term
    return time_term(target, select, left, right, ctx)


def _floor_day(term: TimeTerm) -> exp.Expr:
    """``FLOOR(ts TO DAY) [+|-] INTERVAL 'n' DAY``: a Spark date bound on a time attribute."""
    floor = exp.Floor(this=term.column.copy(), to=exp.var("DAY"))
    n = term.date_days or 0
    if n == 0:
        return floor
    interval = exp.Interval(this=exp.Literal.string(str(abs(n))), unit=exp.var("DAY"))
    return exp.Add(this=floor, expression=interval) if n > 0 else exp.Sub(this=floor, expression=interval)


def _columns_by_side(node: exp.Expr, left: set[str], right: set[str]) -> tuple[bool, bool]:
    tables = {c.table.lower() for c in node.find_all(exp.Column) if c.table}
    return bool(tables & left), bool(tables & right)


def interval_join(join: exp.Join, ctx: RuleContext) -> IntervalJoin:
    """Classify the ON condition of ``join`` (see :class:`IntervalJoin`): once per join while
    no rule changed the tree (SL4010 on the join, then SL4012's time attributes of its
    SELECT ask for the same join)."""
    key = ("interval-join", id(join))
    kept = ctx.memo.get(key)
    if kept is None or kept[0] is not join or kept[1] != ctx.changes:
        kept = ctx.memo[key] = (join, ctx.changes, _interval_join(join, ctx))
    return kept[2]


def _interval_join(join: exp.Join, ctx: RuleContext) -> IntervalJoin:
    select = join.parent
    if not isinstance(select, exp.Select) or not ctx.event_time:
        return IntervalJoin("none")  # (without a declared event time there is no time attribute)
    left, right_inputs = sides(join, ctx.memo)
    right = set(right_inputs)
    comparisons: list[tuple[exp.Expr, type, exp.Expr, exp.Expr]] = []  # (lhs, op, rhs, predicate)
    for cond in conjuncts(join.args.get("on")):
        if not isinstance(cond, _RANGE):
            continue
        on_left, on_right = _columns_by_side(cond, left, right)
        if not (on_left and on_right):
            continue
        if isinstance(cond, exp.Between):
            comparisons.append((cond.this, exp.GTE, cond.args["low"], cond))
            comparisons.append((cond.this, exp.LTE, cond.args["high"], cond))
        else:
            comparisons.append((cond.this, type(cond), cond.expression, cond))
    if not comparisons:
        return IntervalJoin("none")
    mentions_time = any(
        is_time_attribute(c, select, ctx)
        for _, _, _, pred in comparisons
        for c in pred.find_all(exp.Column)
    )
    if not mentions_time:
        return IntervalJoin("none")  # no declared event time involved: nothing to say
    reasons: list[str] = []
    lower = upper = 0
    pairs: set[tuple[str, str]] = set()
    rewrites: list[tuple[exp.Expr, exp.Expr]] = []
    bounds: list[tuple[exp.Expr, exp.Expr]] = []
    for lhs, op, rhs, pred in comparisons:
        try:
            a = time_term(lhs, select, left, right, ctx)
            b = time_term(rhs, select, left, right, ctx)
        except _NotTime as e:
            reasons.append(str(e))
            continue
        if a.side == b.side:
            reasons.append(f"{ctx.sql(pred)} compares two times of the same side")
            continue
        a_node, b_node = lhs, rhs
        if a.side == "left":  # normalise to: right op left
            a, b, op, a_node, b_node = b, a, _FLIP[op], b_node, a_node
        if a.date_days is not None:
            reasons.append(f"{ctx.sql(a_node)}: the bounded time must be a plain time attribute")
            continue
        if b.date_days is not None:
            rewrites.append((unparen(b_node), _floor_day(b)))
        pairs.add((ctx.sql(a.column).lower(), ctx.sql(b.column).lower()))
        bounds.append((a.column, pred))
        if op in (exp.GT, exp.GTE):
            lower += 1
        else:
            upper += 1
    if reasons:
        return IntervalJoin("fallback", reasons)
    if lower != 1 or upper != 1:
        if not lower or not upper:
            missing = "upper" if not upper else "lower"
            reasons.append(f"the time range has no {missing} bound (an interval join needs both)")
        else:
            reasons.append("more than one lower or upper time bound (Flink needs exactly one of each)")
        return IntervalJoin("fallback", reasons)
    if len(pairs) != 1:
        return IntervalJoin("fallback", ["the two bounds relate different time attributes"])
    return IntervalJoin("interval", bounds=bounds, rewrites=rewrites)


# -- point-in-time (validity range) joins ----------------------------------------------------


@dataclass
class PointInTime:
    fact_time: exp.Column
    valid_from: exp.Column
    valid_to: exp.Column
    #: the ON conjuncts that stay (equality keys and other filters)
    rest: list[exp.Expr]
    #: equality keys: (fact column, dimension column)
    keys: list[tuple[exp.Column, exp.Column]]


def _is_col(node: exp.Expr, names: set[str]) -> bool:
    node = unparen(node)
    return isinstance(node, exp.Column) and node.table.lower() in names


def _same(a: exp.Expr, b: exp.Expr) -> bool:
    return unparen(a).sql().lower() == unparen(b).sql().lower()


def _lower_bound(cond: exp.Expr, left: set[str], right: set[str]) -> tuple[exp.Column, exp.Column] | None:
    """(fact time, valid_from) of ``f.ts >= d.valid_from`` (or ``d.valid_from <= f.ts``)."""
    if isinstance(cond, exp.GTE) and _is_col(cond.this, left) and _is_col(cond.expression, right):
        return unparen(cond.this), unparen(cond.expression)
    if isinstance(cond, exp.LTE) and _is_col(cond.expression, left) and _is_col(cond.this, right):
        return unparen(cond.expression), unparen(cond.this)
    return None


def _coalesced(node: exp.Expr, right: set[str]) -> exp.Column | None:
    """d.valid_to of ``COALESCE(d.valid_to, <literal>)``."""
    node = unparen(node)
    if isinstance(node, exp.Coalesce) and _is_col(node.this, right):
        others = node.expressions
        constant = (exp.Literal, exp.Cast, exp.DataType, exp.DataTypeParam, exp.Neg, exp.Paren, exp.Var)
        if len(others) == 1 and all(isinstance(c, constant) for c in others[0].walk()):
            return unparen(node.this)
    return None


def _upper_bound(cond: exp.Expr, fact: exp.Expr, left: set[str], right: set[str]) -> exp.Column | None:
    """valid_to of ``(f.ts < d.valid_to OR d.valid_to IS NULL)`` / ``f.ts < COALESCE(d.valid_to, x)``."""

    def strict(cmp: exp.Expr) -> exp.Expr | None:
        if isinstance(cmp, (exp.LT, exp.LTE)) and _same(cmp.this, fact):
            return cmp.expression
        if isinstance(cmp, (exp.GT, exp.GTE)) and _same(cmp.expression, fact):
            return cmp.this
        return None

    cond = unparen(cond)
    if isinstance(cond, exp.Or):
        a, b = unparen(cond.this), unparen(cond.expression)
        for cmp, null in ((a, b), (b, a)):
            bound = strict(cmp)
            if (
                bound is not None
                and _is_col(bound, right)
                and isinstance(null, exp.Is)
                and isinstance(null.expression, exp.Null)
                and _same(null.this, bound)
            ):
                return unparen(bound)
        return None
    bound = strict(cond)
    return _coalesced(bound, right) if bound is not None else None


def point_in_time(join: exp.Join, ctx: RuleContext) -> PointInTime | None:
    """The Spark point-in-time join ``JOIN d ON f.k = d.k AND f.ts >= d.valid_from AND
    (f.ts < d.valid_to OR d.valid_to IS NULL)`` (or ``< COALESCE(d.valid_to, ...)``, or
    ``f.ts BETWEEN d.valid_from AND COALESCE(d.valid_to, ...)``) with ``f.ts`` a time attribute
    of the left side; None otherwise."""
    select = join.parent
    this = join.this
    if not isinstance(select, exp.Select) or not isinstance(this, exp.Table) or not ctx.event_time:
        return None  # (the fact time must be a time attribute: none without a declared event time)
    if not isinstance(this.this, exp.Identifier) or this.args.get("version") is not None:
        return None
    kind = str(join.args.get("kind") or "").upper()
    side = str(join.args.get("side") or "").upper()
    if kind in ("SEMI", "ANTI", "CROSS") or side not in ("", "LEFT") or join.args.get("using"):
        return None
    left, right_inputs = sides(join, ctx.memo)
    right = set(right_inputs)
    parts = conjuncts(join.args.get("on"))
    found_from = found_to = None
    used: list[exp.Expr] = []
    for cond in parts:
        if isinstance(cond, exp.Between) and _is_col(cond.this, left) and _is_col(cond.args["low"], right):
            valid_to = _coalesced(cond.args["high"], right)
            if valid_to is not None and found_from is None:
                found_from = (unparen(cond.this), unparen(cond.args["low"]))
                found_to = valid_to
                used.append(cond)
        elif found_from is None and _lower_bound(cond, left, right) is not None:
            found_from = _lower_bound(cond, left, right)
            used.append(cond)
    if found_from is None:
        return None
    fact, valid_from = found_from
    if found_to is None:
        for cond in parts:
            if cond in used:
                continue
            valid_to = _upper_bound(cond, fact, left, right)
            if valid_to is not None:
                found_to = valid_to
                used.append(cond)
                break
    if found_to is None or not is_time_attribute(fact, select, ctx):
        return None
    if unparen(valid_from).table.lower() != unparen(found_to).table.lower():
        return None
    rest = [c for c in parts if not any(c is u for u in used)]
    keys = []
    for cond in rest:
        if isinstance(cond, exp.EQ):
            a, b = unparen(cond.this), unparen(cond.expression)
            if _is_col(a, right) and _is_col(b, left):
                a, b = b, a
            if _is_col(a, left) and _is_col(b, right):
                keys.append((a, b))
    if not keys:
        return None  # Flink's temporal join needs an equality on the versioned table's key
    return PointInTime(fact, valid_from, found_to, rest, keys)
