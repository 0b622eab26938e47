"""Functions common in dbt projects that Flink expresses with other built-ins."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.spark_coverage import SPARK_READERS
from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.sqlglot_objects import data_type


def _fn(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _positive_int(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit() and int(node.this) > 0:
        return int(node.this)
    return None


class SplitPartToSplitIndex(Rule):
    """``split_part(s, delim, n)`` (Spark, Snowflake, Databricks) is the n-th (1-based) piece of
    ``s`` split on the literal ``delim``, an empty string past the last piece, NULL when an
    argument is NULL.  Flink's ``SPLIT_INDEX(s, delim, n - 1)`` is 0-based and NULL past the
    last piece, so the result is ``COALESCE``d to ``''`` where ``s`` is not NULL.  A negative
    or non-literal index (Spark counts from the end for negative ones, and raises on 0) is
    reported.
    """

    id = "SL1087"
    name = "split-part-to-split-index"
    title = "split_part(s, d, n) becomes SPLIT_INDEX(s, d, n - 1), '' past the end"
    node_types = (exp.SplitPart,)
    examples = (
        Example(
            before="SELECT split_part(s, ',', 2) FROM t",
            after="SELECT CASE WHEN s IS NULL THEN CAST(NULL AS STRING) "
            "ELSE COALESCE(SPLIT_INDEX(s, ',', 1), '') END FROM t",
        ),
        Example(
            before="SELECT split_part(s, '-', -1) FROM t",
            after="SELECT SPLIT_PART(s, '-', -1) FROM t",
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        text, delim, index = node.this, node.args.get("delimiter"), node.args.get("part_index")
        n = _positive_int(index)
        if n is None or delim is None:
            ctx.report(
                node,
                "split_part with a negative, zero or computed index has no Flink form "
                "(SPLIT_INDEX counts from the start, 0-based)",
                severity=Severity.ERROR,
                suggestion="use a positive literal index, or reverse the string: "
                "REVERSE(SPLIT_INDEX(REVERSE(s), REVERSE(delim), 0)) for the last piece",
            )
            return None
        piece = exp.Coalesce(
            this=_fn("SPLIT_INDEX", text.copy(), delim.copy(), exp.Literal.number(n - 1)),
            expressions=[exp.Literal.string("")],
        )
        null: exp.Expr = exp.Is(this=text.copy(), expression=exp.Null())
        if not isinstance(delim, exp.Literal):
            null = exp.Or(this=null, expression=exp.Is(this=delim.copy(), expression=exp.Null()))
        return exp.Case(
            ifs=[exp.If(this=null, true=exp.Cast(this=exp.Null(), to=data_type("STRING")))],
            default=piece,
        )


class StringAggToListagg(Rule):
    """Spark's ``listagg(x[, sep])`` / ``string_agg(x[, sep])`` (and Snowflake's ``listagg``)
    concatenate the non-NULL values with ``sep`` (default: no separator); Flink's ``LISTAGG(x,
    sep)`` does the same but its default separator is ``','``, so the separator is always
    written.  Neither engine guarantees the order of the values without an ordering; Spark's
    ``WITHIN GROUP (ORDER BY ...)`` has no Flink form and is reported.
    """

    id = "SL1088"
    name = "string-agg-to-listagg"
    title = "listagg / string_agg(x, sep) become LISTAGG(x, sep) with an explicit separator"
    node_types = (exp.GroupConcat,)
    examples = (
        Example(before="SELECT listagg(s, ';') FROM t", after="SELECT LISTAGG(s, ';') FROM t"),
        Example(before="SELECT string_agg(s) FROM t", after="SELECT LISTAGG(s, '') FROM t"),
        Example(
            before="SELECT listagg(s, ',') WITHIN GROUP (ORDER BY s) FROM t", read="snowflake",
            after="SELECT GROUP_CONCAT(s ORDER BY s NULLS LAST, ',') FROM t", diagnoses=True, mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        arg = node.this
        if isinstance(arg, exp.Order) or node.find(exp.Order) is not None:
            ctx.report(
                node,
                "listagg / string_agg with an ordering has no Flink form: LISTAGG's order is not defined",
                severity=Severity.ERROR,
                suggestion="drop the ordering if it does not matter, or order the input with a Top-N subquery",
            )
            return None
        extra = node.args.get("on_overflow")
        if extra is not None:
            ctx.report(
                node,
                f"listagg / string_agg with a third argument ({extra.sql(ctx.read)}) has no Flink form",
                severity=Severity.ERROR,
                suggestion="Spark's listagg takes a value and a separator: remove the extra argument",
            )
            return None
        separator = node.args.get("separator") or exp.Literal.string("")
        return _fn("LISTAGG", arg.copy(), separator.copy())


class TryToTimestamp(Rule):
    """Spark's ``try_to_timestamp(s)`` is ``s`` cast to TIMESTAMP, NULL when it cannot be read:
    ``TRY_CAST(s AS TIMESTAMP)``; with a format, Flink's ``TO_TIMESTAMP(s, fmt)`` also returns
    NULL on a string that does not match.  Differences: Flink's cast clamps an impossible day
    (``'2023-02-29'`` becomes 2023-02-28, Spark gives NULL: found by the differential test); without a format Spark also reads
    forms Flink's cast does not (``'2020-01-01T10:00:00'``, ``'2020'``: NULL in Flink); Flink's
    formats are Java ``SimpleDateFormat`` patterns, Spark's its own datetime patterns (the
    common ``yyyy-MM-dd HH:mm:ss`` letters agree).
    """

    id = "SL1089"
    name = "try-to-timestamp"
    title = "try_to_timestamp(s[, fmt]) becomes TRY_CAST(s AS TIMESTAMP) / TO_TIMESTAMP(s, fmt)"
    node_types = (exp.Anonymous,)
    examples = (
        Example(before="SELECT try_to_timestamp(s) FROM t", after="SELECT TRY_CAST(s AS TIMESTAMP) FROM t",
                diagnoses=True),
        Example(before="SELECT try_to_timestamp(s, 'yyyy-MM-dd') FROM t",
                after="SELECT TO_TIMESTAMP(s, 'yyyy-MM-dd') FROM t", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if str(node.name).lower() != "try_to_timestamp" or not 1 <= len(node.expressions) <= 2:
            return None
        args = node.expressions
        ctx.report(
            node,
            "try_to_timestamp: Flink's cast clamps an impossible day ('2023-02-29' -> 2023-02-28, Spark: "
            "NULL), Spark also reads forms Flink does not ('2020-01-01T10:00:00' without a format), and its format letters are Spark's datetime patterns (Flink: SimpleDateFormat)",
            suggestion="check non-ISO inputs; the common yyyy-MM-dd HH:mm:ss letters agree",
        )
        if len(args) == 2:
            return _fn("TO_TIMESTAMP", args[0].copy(), args[1].copy())
        return exp.TryCast(this=args[0].copy(), to=data_type("TIMESTAMP"), safe=True)


class MakeDate(Rule):
    """Spark's ``make_date(y, m, d)`` is the DATE of those parts, NULL (ANSI: an error) when
    they name no date (``make_date(2023, 2, 29)``).  Flink has no such function; the rule reads
    the ISO text ``yyyy-m-d`` with ``TRY_CAST(... AS DATE)``, which is NULL for an impossible
    date as well (the year padded to four digits).  Spark readers only: Snowflake's
    ``date_from_parts`` rolls over out-of-range parts instead, and is left reported.
    """

    id = "SL1091"
    name = "make-date"
    title = "make_date(y, m, d) becomes TRY_CAST of the ISO date text"
    node_types = (exp.Anonymous,)
    examples = (
        Example(
            before="SELECT make_date(a, b, 1) FROM t",
            after="SELECT TRY_CAST(CONCAT(LPAD(CAST(a AS STRING), 4, '0'), '-', CAST(b AS STRING), '-', "
            "CAST(1 AS STRING)) AS DATE) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if (str(node.name).lower() != "make_date" or len(node.expressions) != 3
                or ctx.read.lower() not in SPARK_READERS):
            return None
        y, m, d = (exp.Cast(this=a.copy(), to=data_type("STRING")) for a in node.expressions)
        text = _fn("CONCAT", _fn("LPAD", y, exp.Literal.number(4), exp.Literal.string("0")),
                   exp.Literal.string("-"), m, exp.Literal.string("-"), d)
        return exp.TryCast(this=text, to=data_type("DATE"), safe=True)
