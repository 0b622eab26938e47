"""Spark LEFT SEMI / LEFT ANTI JOIN become WHERE [NOT] EXISTS."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext


def _left_name(select: exp.Select) -> str | None:
    source = select.args.get("from_")
    table = source.this if source is not None else None
    return table.alias_or_name if table is not None and table.alias_or_name else None


class SemiAntiJoinToExists(Rule):
    """Spark's ``l LEFT SEMI JOIN r ON cond`` keeps the rows of ``l`` that have a match in
    ``r`` (each once, whatever the number of matches); ``LEFT ANTI JOIN`` keeps those that have
    none.  Flink SQL has no such join syntax; the standard form is a correlated
    ``WHERE EXISTS (SELECT 1 FROM r WHERE cond)`` / ``NOT EXISTS``, which Flink plans as a semi
    / anti join in both modes (checked on Flink 2.3).  Table aliases are kept, so ``cond``'s
    references to both sides stay valid; ``USING (k)`` becomes ``l.k = r.k``.

    The condition moves to WHERE, which filters after all joins: that is the same only when no
    RIGHT / FULL join follows the semi / anti join, so those are reported and left alone.  An
    anti join's NULL semantics are the same as NOT EXISTS (a NULL key never matches).
    In streaming, both sides are kept in state like any regular join.
    """

    id = "SL4008"
    name = "semi-anti-join-to-exists"
    title = "LEFT SEMI / LEFT ANTI JOIN becomes WHERE EXISTS / NOT EXISTS"
    node_types = (exp.Select,)
    examples = (
        Example(
            before="SELECT l.a, l.b FROM t AS l LEFT SEMI JOIN t AS r ON l.a = r.b",
            after="SELECT l.a, l.b FROM t AS l WHERE EXISTS(SELECT 1 FROM t AS r WHERE l.a = r.b)",
        ),
        Example(
            before="SELECT l.a FROM t l LEFT ANTI JOIN t r ON l.a = r.b AND r.s = 'x' WHERE l.b > 0",
            after="SELECT l.a FROM t AS l WHERE l.b > 0 AND NOT EXISTS(SELECT 1 FROM t AS r WHERE l.a = r.b AND r.s = 'x')",
        ),
        Example(
            before="SELECT l.a FROM t AS l LEFT SEMI JOIN t AS r USING (a)",
            after="SELECT l.a FROM t AS l WHERE EXISTS(SELECT 1 FROM t AS r WHERE l.a = r.a)",
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        joins = list(node.args.get("joins") or [])
        changed = False
        for index, join in enumerate(joins):
            kind = str(join.args.get("kind") or "").upper()
            if kind not in ("SEMI", "ANTI"):
                continue
            later = joins[index + 1 :]
            if any(str(j.args.get("side") or "").upper() in ("RIGHT", "FULL") for j in later):
                ctx.report(
                    join,
                    f"LEFT {kind} JOIN followed by a RIGHT / FULL join cannot move to WHERE "
                    "[NOT] EXISTS unchanged",
                    severity=Severity.ERROR,
                    suggestion="apply the semi / anti join in a subquery first: FROM (SELECT * FROM l "
                    "WHERE [NOT] EXISTS (SELECT 1 FROM r WHERE ...)) AS l RIGHT JOIN ...",
                )
                continue
            condition = self._condition(node, join, ctx)
            if condition is None:
                continue
            inner = exp.select(exp.Literal.number(1)).from_(join.this.copy())
            if condition is not True:
                inner = inner.where(condition)
            test: exp.Expr = exp.Exists(this=inner)
            if kind == "ANTI":
                test = exp.Not(this=test)
            join.pop()
            node.where(test, append=True, copy=False)
            changed = True
        return node if changed else None

    @staticmethod
    def _condition(select: exp.Select, join: exp.Join, ctx: RuleContext) -> exp.Expr | bool | None:
        on = join.args.get("on")
        using = join.args.get("using")
        if on is not None:
            return on.copy()
        if using:
            left = _left_name(select)
            right = join.this.alias_or_name
            if not left or not right:
                ctx.report(
                    join,
                    "USING in a semi / anti join needs named tables on both sides to be rewritten",
                    severity=Severity.ERROR,
                    suggestion="alias both sides and write ON l.k = r.k",
                )
                return None
            eqs = [
                exp.EQ(this=exp.column(k.name, table=left), expression=exp.column(k.name, table=right))
                for k in using
            ]
            return exp.and_(*eqs)
        return True
