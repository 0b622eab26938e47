"""Spark's first / last / first_value / last_value, which keep a NULL first (last) value
unless told to ignore NULLs; Flink's FIRST_VALUE / LAST_VALUE always skip them."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from shiftleft.dialects.flink_nulls import RESPECT_NULLS, is_null
from shiftleft.models import Mode
from shiftleft.rewrite import Example, Rule, RuleContext


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


_CALL_WRAPPERS = (exp.Window, exp.Filter, exp.RespectNulls, exp.IgnoreNulls)


class FirstLastIgnoreNulls(Rule):
    """Spark's ``first(x)`` / ``last(x)`` and ``first_value(x)`` / ``last_value(x)`` return the
    first / last value *including NULLs* unless NULLs are ignored (``first(x, true)``,
    ``first_value(x, true)``, ``first_value(x) IGNORE NULLS``); Flink's FIRST_VALUE /
    LAST_VALUE always skip NULLs, as aggregates and as OVER window functions, in batch and in
    streaming (checked on Flink 2.3: FIRST_VALUE over the rows NULL, 10 is 10, and the OVER
    value on the second row of a partition whose first value is NULL is 10 where Spark gives
    NULL).  Flink rejects the IGNORE NULLS / RESPECT NULLS syntax after FIRST_VALUE ("Cannot
    specify IGNORE NULLS or RESPECT NULLS following 'FIRST_VALUE'").  So the NULL-ignoring
    forms map exactly to plain FIRST_VALUE / LAST_VALUE.  The default (and RESPECT NULLS)
    forms ask Flink whether the first (last) row's value is NULL, with ``FIRST_VALUE(x IS
    NULL)`` (never NULL itself, so no row is skipped): ``CASE WHEN FIRST_VALUE(x IS NULL) THEN
    NULL ELSE FIRST_VALUE(x) END``, where the second FIRST_VALUE, skipping NULLs, is then the
    first row's value; over a window both calls take the same OVER clause.
    """

    id = "SL1080"
    name = "first-last-to-first-value"
    title = "first / first_value(x), last / last_value(x) become FIRST_VALUE / LAST_VALUE, keeping NULLs as Spark"
    node_types = (exp.First, exp.Last, exp.FirstValue, exp.LastValue, exp.IgnoreNulls, exp.RespectNulls, exp.Filter)
    examples = (
        Example(before="SELECT b, first(a, true) FROM t GROUP BY b", after="SELECT b, FIRST_VALUE(a) FROM t GROUP BY b"),
        Example(
            before="SELECT b, last(a) FROM t GROUP BY b",
            after="SELECT b, CASE WHEN LAST_VALUE(a IS NULL) THEN NULL ELSE LAST_VALUE(a) END FROM t GROUP BY b",
        ),
        Example(
            before="SELECT first_value(a) IGNORE NULLS OVER (PARTITION BY b ORDER BY i) FROM t",
            after="SELECT FIRST_VALUE(a) OVER (PARTITION BY b ORDER BY i) FROM t",
            mode=Mode.BATCH,
        ),
        Example(
            before="SELECT last_value(a) OVER (PARTITION BY b ORDER BY i) FROM t",
            after="SELECT CASE WHEN LAST_VALUE(a IS NULL) OVER (PARTITION BY b ORDER BY i) THEN NULL "
            "ELSE LAST_VALUE(a) OVER (PARTITION BY b ORDER BY i) END FROM t",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if isinstance(node, exp.Filter):
            return self._filtered(node)
        if isinstance(node, (exp.IgnoreNulls, exp.RespectNulls)):
            inner = node.this
            if not inner.meta.get(self.id):
                return None
            if inner.meta.get(RESPECT_NULLS) and self._outer(node) is node:  # no OVER / FILTER
                return self._respecting(inner, lambda call: call)
            return inner.copy()  # translated below: the wrapper goes
        first = isinstance(node, (exp.First, exp.FirstValue))
        plain = _fn("FIRST_VALUE" if first else "LAST_VALUE", node.this.copy())
        plain.meta[self.id] = True
        if isinstance(node.parent, exp.IgnoreNulls):
            return plain
        if self._outer(node) is not node:
            # under OVER the Flink generator writes the CASE (flink_nulls.window_sql), so the
            # streaming rules still see one window; under FILTER alone, _filtered writes it
            plain.meta[RESPECT_NULLS] = True
            return plain
        return self._respecting(plain, lambda call: call)

    @staticmethod
    def _outer(node: exp.Expr) -> exp.Expr:
        """The outermost OVER / FILTER (or NULLS wrapper) that ``node`` is the function of."""
        while isinstance(node.parent, _CALL_WRAPPERS) and node.arg_key == "this":
            node = node.parent
        return node

    def _filtered(self, wrapper: exp.Filter) -> exp.Expr | None:
        if self._outer(wrapper) is not wrapper:
            return None  # under OVER: the generator writes it
        marked: exp.Expr = wrapper
        while isinstance(marked, _CALL_WRAPPERS):
            marked = marked.this
        if not (isinstance(marked, exp.Anonymous) and marked.meta.get(RESPECT_NULLS)):
            return None

        def over(function: exp.Expr) -> exp.Expr:
            copy = wrapper.copy()
            copy.set("this", function)
            return copy

        return self._respecting(marked, over)

    def _respecting(self, call: exp.Anonymous, over: Callable[[exp.Expr], exp.Expr]) -> exp.Expr:
        value = call.expressions[0]
        nulls = _fn(call.name, is_null(value))
        values = _fn(call.name, value.copy())
        case = exp.Case(ifs=[exp.If(this=over(nulls), true=exp.null())], default=over(values))
        case.meta[self.id] = True
        return case
