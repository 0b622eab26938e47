"""Whole-partition window aggregates: which ones SL4014 rewrites as a join (and SL4004 then
leaves alone).  Not a rule file: its name starts with ``_``."""

from __future__ import annotations

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
_BLOCKING = ("group", "having", "distinct", "qualify", "windows")
#: clauses of the SELECT its aggregate copy drops (they apply to the rows after the join)
COPY_DROPS = ("order", "limit", "offset", "sort", "distribute", "cluster", "with_", "hint", "locks")


def partition_wide(window: exp.Window) -> bool:
    """``AGG(x) OVER (PARTITION BY ...)`` or ``OVER ()``: no order, no frame, an aggregate
    whose result over the whole partition is order-free."""
    args = window.args
    if args.get("order") is not None or args.get("spec") is not None or args.get("alias") is not None:
        return False
    return type(window.this) in _ORDER_FREE


def rewritable(select: exp.Select) -> bool:
    """``select`` has window functions in its projections only, every one partition-wide,
    and no clause (GROUP BY, DISTINCT, QUALIFY, named windows) that the join form would change."""
    if not isinstance(select, exp.Select) or select.args.get("from_") is None:
        return False
    if any(select.args.get(key) for key in _BLOCKING) or H.is_aggregated(select):
        return False
    windows = [w for p in select.expressions for w in own_nodes(p, exp.Window)]
    if not windows or len(windows) != len(own_nodes(select, exp.Window)):
        return False
    return all(partition_wide(w) for w in windows)  # type: ignore[arg-type]


def rewritable_window(window: exp.Window) -> bool:
    """``window`` will be rewritten by SL4014 (SL4004 skips it)."""
    select = window.parent_select
    return partition_wide(window) and select is not None and rewritable(select)


