"""A DATE beside a TIMESTAMP in COALESCE / GREATEST / LEAST / CASE / IF is widened to TIMESTAMP,
as in Spark."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import DATE_TYPES, TIMESTAMP_TYPES


def _operands(node: exp.Expr) -> list[exp.Expr]:
    """The operands of ``node`` whose value can be its value."""
    if isinstance(node, exp.Case):
        return [*(w.args["true"] for w in node.args.get("ifs") or []), *filter(None, [node.args.get("default")])]
    if isinstance(node, exp.If):
        return [node.args["true"], *filter(None, [node.args.get("false")])]
    return [node.this, *node.expressions]


class TemporalWidening(Rule):
    """Spark widens a DATE to TIMESTAMP where one value can be either (``coalesce(d, ts)``,
    ``nvl``, ``greatest`` / ``least``, the branches of ``CASE`` / ``if``): the value is a
    TIMESTAMP, the date at midnight.  Flink 2.3 plans ``COALESCE(d, ts)``, ``IFNULL``,
    ``GREATEST`` and ``LEAST`` of a DATE and a TIMESTAMP and types them **DATE**: the
    timestamps lose their time of day, and a sink column typed TIMESTAMP (as Spark types the
    model) rejects the query; a CASE or IF with such branches is rejected ("Illegal mixing of
    types").  The rule casts the DATE operands to the TIMESTAMP operand's type.  Both types must
    be known (a CAST, a literal, ``schema=``, ``current_date()``); found in a public dbt
    project (``coalesce(actual_date::date, planned_ts)``).
    """

    id = "SL3050"
    name = "temporal-widening"
    title = "a DATE beside a TIMESTAMP in COALESCE, GREATEST, LEAST, CASE or IF is cast to TIMESTAMP"
    node_types = (exp.Coalesce, exp.Greatest, exp.Least, exp.Case, exp.If)
    examples = (
        Example(  # Spark's TIMESTAMP is Flink's TIMESTAMP_LTZ
            before="SELECT coalesce(d, ts) FROM t",
            after="SELECT COALESCE(CAST(d AS TIMESTAMP_LTZ), ts) FROM t",
            types={"t": {"d": "DATE", "ts": "TIMESTAMP"}},
        ),
        Example(
            before="SELECT nvl(ts, d), greatest(ts, CAST(s AS DATE)) FROM t",
            after="SELECT COALESCE(ts, CAST(d AS TIMESTAMP)), GREATEST(COALESCE(ts, CAST(TRY_CAST(s AS DATE) AS "
            "TIMESTAMP)), COALESCE(CAST(TRY_CAST(s AS DATE) AS TIMESTAMP), ts)) FROM t",
            types={"t": {"d": "DATE", "ts": "TIMESTAMP_NTZ", "s": "STRING"}},
        ),
        Example(
            before="SELECT CASE WHEN s = 'a' THEN d ELSE ts END, if(s = 'b', ts, current_date()) FROM t",
            after="SELECT CASE WHEN s = 'a' THEN CAST(d AS TIMESTAMP) ELSE ts END, "
            "IF(s = 'b', ts, CAST(CURRENT_DATE AS TIMESTAMP)) FROM t",
            types={"t": {"d": "DATE", "ts": "TIMESTAMP_NTZ", "s": "STRING"}},
        ),
        Example(
            before="SELECT coalesce(d, current_date()) FROM t",
            after="SELECT COALESCE(d, CURRENT_DATE) FROM t",
            types={"t": {"d": "DATE"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        dates, widest = [], None
        for value in _operands(node):
            declared = ctx.declared_type(value)
            if declared is not None and declared.this in DATE_TYPES:
                dates.append(value)
            elif declared is not None and declared.this in TIMESTAMP_TYPES and widest is None:
                widest = declared
        if widest is None or not dates:
            return None
        for value in dates:
            value.replace(exp.Cast(this=value.copy(), to=widest.copy()))
        return node
