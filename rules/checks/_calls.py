"""Shared by the checks on function calls (not a rule file: its name starts with ``_``)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_functions import call_shape, flink_function_name
from shiftleft.dialects.user_functions import USER_FUNCTION
from shiftleft.rewrite import RuleContext
from shiftleft.rewrite.walk import in_hint


def _not_checked(node: exp.Expr) -> bool:
    # node._meta, not node.meta: asking must not create a dict on every call node
    return in_hint(node) or bool(node._meta and node._meta.get(USER_FUNCTION))


def not_checked(node: exp.Expr, ctx: RuleContext) -> bool:
    """True for a call the function checks leave alone: a hint's name (STATE_TTL, BROADCAST,
    OPTIONS, ...) is not a function call, and a function the user mapped (``--functions``)
    is theirs.  Found once per call for all the checks (:meth:`RuleContext.fact`)."""
    return bool(ctx.fact("call-not-checked", node, _not_checked))


def flink_name(node: exp.Func, ctx: RuleContext) -> str | None:
    """:func:`~shiftleft.dialects.flink_functions.flink_function_name` of the call, found once
    for the checks that ask (SL9001 and SL9004)."""
    return ctx.fact("flink-call-name", node, lambda n: flink_function_name(n, ctx.target.value, shape(n, ctx)))


def shape(node: exp.Func, ctx: RuleContext) -> tuple | None:
    """:func:`~shiftleft.dialects.flink_functions.call_shape` of the call, found once for the
    checks that ask (SL9001, SL9004, SL9006: their generated forms are memoized by it); None
    for an anonymous call (its name is its own)."""
    return None if isinstance(node, exp.Anonymous) else ctx.fact("call-shape", node, call_shape)
