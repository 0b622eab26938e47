"""Whole-partition window aggregates: which ones SL4014 rewrites as a join (and SL4004 then
leaves alone).  Not a rule file: its name starts with ``_``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from shiftleft.rewrite.packs import pack_module
from shiftleft.rewrite.walk import own_nodes, wrapped_aggregate

H = pack_module(__file__, "_helpers")

#: aggregates whose value over a whole partition does not depend on the order of its rows
_ORDER_FREE = (
    exp.Sum,
    exp.Count,
    exp.Min,
    exp.Max,
    exp.Avg,
    exp.Stddev,
    exp.StddevPop,
    exp.StddevSamp,
    exp.Variance,
    exp.VariancePop,
    exp.ArrayAgg,  # without an order: its elements' order is unspecified in Spark and Snowflake too
    # source aggregates that the function rules turn into the ones above (a window is judged
    # before the later windows of its SELECT are translated)
    exp.ArrayUniqueAgg,
    exp.CountIf,
    exp.LogicalOr,
    exp.LogicalAnd,
)
#: clauses of a SELECT the rewrite does not carry over to a join (left to SL4004)
_BLOCKING = ("group", "having", "distinct")
#: clauses of the SELECT its aggregate copy drops (they apply to the rows after the join)
COPY_DROPS = (
    "order", "limit", "offset", "sort", "distribute", "cluster", "with_", "hint", "locks", "windows", "qualify",
)


@dataclass
class Shape:
    """What a whole-partition window computes: an order-free aggregate of its partition."""

    value: exp.Expr  #: the aggregate call
    keys: list[exp.Expr]


def _whole_frame(spec: exp.Expr | None) -> bool:
    """``ROWS / RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING``."""
    if spec is None:
        return False
    bound = [str(spec.args.get(k) or "").upper() for k in ("start", "start_side", "end", "end_side")]
    return bound == ["UNBOUNDED", "PRECEDING", "UNBOUNDED", "FOLLOWING"]


def shape(window: exp.Window, select: exp.Select) -> Shape | None:
    """The whole-partition computation of ``window`` (in ``select``), or None when its value
    depends on the frame or the row (running totals, LAG, ranks...)."""
    definition = H.window_definition(window, select)
    if definition is None:
        return None
    function = wrapped_aggregate(window) or window.this  # SL3025 moves the OVER onto it
    keys = list(definition.args.get("partition_by") or [])
    order = definition.args.get("order")
    spec = definition.args.get("spec")
    whole = _whole_frame(spec)
    if type(function) in _ORDER_FREE and (whole or (order is None and spec is None)):
        return Shape(function, keys)
    # FIRST_VALUE / LAST_VALUE over a whole ordered partition would be a Top-1 joined back,
    # but Flink 2.3 plans a Top-1 on a non-time order under a join as insert-only and loses
    # its updates (checked: rows that should have been retracted stay); they keep SL4004
    return None


def _windows(select: exp.Select) -> list[exp.Window]:
    return [w for w in own_nodes(select, exp.Window) if w.arg_key != "windows"]  # type: ignore[misc]


def rewritable(select: exp.Select) -> bool:
    """``select`` has window functions in its projections, each a whole-partition one
    (:func:`shape`), and elsewhere only in its QUALIFY (which must keep a window: Flink
    rejects a QUALIFY without one), and no clause (GROUP BY, DISTINCT)
    the join form would change.  A QUALIFY stays on the joined rows: the join gives each row
    exactly one partner (its partition's group, matched NULL-safely), so the rows it filters
    and the windows it computes (a Top-N's ROW_NUMBER) are those of the SELECT as written."""
    if not isinstance(select, exp.Select) or select.args.get("from_") is None:
        return False
    if any(select.args.get(key) for key in _BLOCKING) or H.is_aggregated(select):
        return False
    windows = [w for p in select.expressions for w in own_nodes(p, exp.Window)]
    qualify = select.args.get("qualify")
    filtering = own_nodes(qualify, exp.Window) if qualify is not None else []
    if qualify is not None and not filtering:
        return False  # Flink rejects a QUALIFY without a window of its own
    if not windows or len(windows) + len(filtering) != len(_windows(select)):
        return False
    return all(shape(w, select) is not None for w in windows)  # type: ignore[arg-type]


def rewritable_window(window: exp.Window) -> bool:
    """``window`` will be rewritten by SL4014 (SL4004 skips it)."""
    select = window.parent_select
    if select is None or shape(window, select) is None:
        return False
    top: exp.Expr = window
    while top.parent is not select and top.parent is not None:
        top = top.parent
    return top.arg_key == "expressions" and rewritable(select)  # one in QUALIFY stays a window


def distinct_windows(select: exp.Select) -> list[exp.Window]:
    """The OVER windows of ``select`` whose aggregate is DISTINCT."""
    found = []
    for window in _windows(select):
        function = wrapped_aggregate(window) or window.this  # type: ignore[arg-type]
        if function is not None and isinstance(function.this, exp.Distinct):
            found.append(window)
    return found  # type: ignore[return-value]


#: window functions whose value over a whole partition is one row's (not an aggregate of all)
_ROW_VALUES = (exp.FirstValue, exp.LastValue, exp.NthValue)
_ROW_VALUE_NAMES = {"FIRST_VALUE", "LAST_VALUE", "NTH_VALUE"}


def window_function(window: exp.Window) -> exp.Expr:
    """The function under OVER, without IGNORE / RESPECT NULLS."""
    function = window.this
    while isinstance(function, (exp.IgnoreNulls, exp.RespectNulls)):
        function = function.this
    return function


def whole_partition_value(window: exp.Window, definition: exp.Expr) -> bool:
    """FIRST_VALUE / LAST_VALUE / NTH_VALUE over the whole partition (no ORDER BY, or the
    whole frame)."""
    function = window_function(window)
    named = isinstance(function, exp.Anonymous) and function.name.upper() in _ROW_VALUE_NAMES  # SL1080's
    if not (named or isinstance(function, _ROW_VALUES)):
        return False
    spec = definition.args.get("spec")
    return _whole_frame(spec) or (definition.args.get("order") is None and spec is None)
