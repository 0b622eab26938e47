"""Whole-partition window aggregates: which ones SL4014 rewrites as a join (and SL4004 then
leaves alone).  Not a rule file: its name starts with ``_``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from shiftleft.rewrite.packs import pack_module
from shiftleft.rewrite.walk import own_nodes

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
)
#: clauses of a SELECT the rewrite does not carry over to a join (left to SL4004)
_BLOCKING = ("group", "having", "distinct", "qualify")
#: clauses of the SELECT its aggregate copy drops (they apply to the rows after the join)
COPY_DROPS = ("order", "limit", "offset", "sort", "distribute", "cluster", "with_", "hint", "locks", "windows")


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
    function = window.this
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
    """``select`` has window functions in its projections only, each a whole-partition one
    (:func:`shape`), and no clause (GROUP BY, DISTINCT, QUALIFY) the join form would change."""
    if not isinstance(select, exp.Select) or select.args.get("from_") is None:
        return False
    if any(select.args.get(key) for key in _BLOCKING) or H.is_aggregated(select):
        return False
    windows = [w for p in select.expressions for w in own_nodes(p, exp.Window)]
    if not windows or len(windows) != len(_windows(select)):
        return False
    return all(shape(w, select) is not None for w in windows)  # type: ignore[arg-type]


def rewritable_window(window: exp.Window) -> bool:
    """``window`` will be rewritten by SL4014 (SL4004 skips it)."""
    select = window.parent_select
    return select is not None and shape(window, select) is not None and rewritable(select)
