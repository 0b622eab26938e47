"""AVG of integers: fractional in Spark, truncated to an integer in Flink."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.spark_coverage import SPARK_READERS
from shiftleft.rewrite.spark_decimal import Numeric, aggregate_argument, avg_type, decimal_type, spark_numeric, sum_type
from shiftleft.models import Mode
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import FRACTIONAL_TYPES
from shiftleft.sqlglot_objects import data_type


class AvgFractional(Rule):
    """Spark's ``avg`` of an integer column returns a DOUBLE (``avg`` of 1 and 2 is 1.5); Flink's
    ``AVG`` keeps the argument type, so the average of an INT column is an INT (1).  The rule
    casts the argument to DOUBLE unless it is known to be fractional already (a DECIMAL,
    DOUBLE or FLOAT CAST or schema type, or a decimal literal), where Flink's result type is
    fractional too.  Found by reconciling TPC-DS q7/q22/q26 against DuckDB.  The same holds
    for ``stddev`` / ``stddev_pop`` / ``stddev_samp`` / ``variance`` / ``var_pop`` /
    ``var_samp``: Flink's result of an INT column is an INT (found by the function
    differential test: var_samp of INTs 163889.23 in Spark, 163889 in Flink).
    """

    id = "SL1084"
    name = "avg-fractional"
    title = "avg(x) becomes AVG(CAST(x AS DOUBLE)) so integer averages keep their fraction"
    node_types = (exp.Avg, exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance, exp.VariancePop)
    examples = (
        Example(before="SELECT avg(a) FROM t", after="SELECT AVG(CAST(a AS DOUBLE)) FROM t"),
        Example(before="SELECT stddev_samp(a) FROM t", after="SELECT STDDEV_SAMP(CAST(a AS DOUBLE)) FROM t"),
        Example(before="SELECT avg(DISTINCT a) FROM t", after="SELECT AVG(DISTINCT CAST(a AS DOUBLE)) FROM t"),
        Example(before="SELECT avg(x) FROM t", after="SELECT AVG(x) FROM t", types={"t": {"x": "DOUBLE"}}),
        Example(
            before="SELECT avg(CAST(a AS FLOAT)) FROM t",
            after="SELECT AVG(TRY_CAST(a AS FLOAT)) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.AggFunc)
        holder: exp.Expr = node
        arg = node.this
        if isinstance(arg, exp.Distinct) and len(arg.expressions) == 1:
            holder, arg = arg, arg.expressions[0]
        if arg is None:
            return None
        if ctx.declared_as(arg, FRACTIONAL_TYPES):
            return None
        cast = exp.Cast(this=arg.copy(), to=data_type("DOUBLE"))
        if holder is node:
            node.set("this", cast)
        else:
            holder.set("expressions", [cast])
        return node


class SumDecimalType(Rule):
    """Spark's ``sum`` of a ``DECIMAL(p, s)`` is a ``DECIMAL(p + 10, s)``; Flink's ``SUM`` is a
    ``DECIMAL(38, s)``.  The sums are equal, but the type feeds the arithmetic around them:
    ``sum(a) / sum(b)`` of two ``DECIMAL(10, 2)`` keeps 18 fraction digits in Spark and 6 in
    Flink (both cap the precision at 38).  The rule casts Flink's sum to Spark's type.  Only
    for Spark readers (DuckDB's decimal division is a DOUBLE).
    """

    id = "SL1085"
    name = "sum-decimal-type"
    title = "sum(decimal) gets Spark's DECIMAL(p + 10, s)"
    node_types = (exp.Sum,)
    examples = (
        Example(
            before="SELECT sum(amount) FROM t",
            after="SELECT CAST(SUM(amount) AS DECIMAL(20, 2)) FROM t",
            types={"t": {"amount": "DECIMAL(10, 2)"}},
        ),
        Example(before="SELECT sum(a) FROM t", after="SELECT SUM(a) FROM t", types={"t": {"a": "INT"}}),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in SPARK_READERS or isinstance(node.parent, exp.Window):
            return None
        arg = aggregate_argument(node)
        numeric = None if arg is None else spark_numeric(arg, ctx)
        if numeric is None or not numeric.is_decimal:
            return None
        return exp.Cast(this=node.copy(), to=decimal_type(sum_type(numeric)))


class AvgDecimalScale(Rule):
    """Spark's ``avg`` of a ``DECIMAL(p, s)`` is a ``DECIMAL(p + 4, s + 4)``: the sum (as
    ``DECIMAL(p + 10, s)``) divided by the count, rounded half up to ``s + 4`` fraction digits.
    Flink's ``AVG`` keeps ``max(6, s)`` fraction digits, so the average of a ``DECIMAL(10, 0)``
    has 4 fraction digits in Spark and 6 in Flink, that of a ``DECIMAL(12, 4)`` 8 and 6.  The
    rule computes Spark's division: ``CAST(CAST(SUM(x) AS DECIMAL(q, s)) / CAST(COUNT(x) AS
    DECIMAL(20, 0)) AS DECIMAL(p + 4, s + 4))``, where the sum's precision q is capped at 34
    so that Flink's quotient keeps at least s + 4 fraction digits (for p > 24 a sum with more
    than 34 - s integer digits overflows to NULL where Spark has room for 38 - s).
    ``avg(x) OVER (...)`` is computed the same way with both aggregates over the window.
    """

    id = "SL1086"
    name = "avg-decimal-scale"
    title = "avg(decimal) becomes SUM / COUNT with Spark's DECIMAL(p + 4, s + 4)"
    node_types = (exp.Avg, exp.Window)
    examples = (
        Example(
            before="SELECT avg(amount) FROM t",
            after="SELECT CAST(CAST(SUM(amount) AS DECIMAL(20, 2)) / CAST(COUNT(amount) AS DECIMAL(20, 0)) "
            "AS DECIMAL(14, 6)) FROM t",
            types={"t": {"amount": "DECIMAL(10, 2)"}},
        ),
        Example(
            before="SELECT avg(amount) OVER (PARTITION BY a) FROM t",
            after="SELECT CAST(CAST(SUM(amount) OVER (PARTITION BY a) AS DECIMAL(20, 2)) / "
            "CAST(COUNT(amount) OVER (PARTITION BY a) AS DECIMAL(20, 0)) AS DECIMAL(14, 6)) FROM t",
            types={"t": {"amount": "DECIMAL(10, 2)", "a": "INT"}},
            mode=Mode.BATCH,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in SPARK_READERS:
            return None
        window = node if isinstance(node, exp.Window) else None
        avg = node.this if window is not None else node
        if not isinstance(avg, exp.Avg) or (window is None and isinstance(node.parent, exp.Window)):
            return None
        arg = aggregate_argument(avg)
        numeric = None if arg is None else spark_numeric(arg, ctx)
        result = None if numeric is None else avg_type(numeric)
        if numeric is None or result is None:
            return None
        distinct = isinstance(avg.this, exp.Distinct)

        def over(agg: exp.Expr) -> exp.Expr:
            if window is None:
                return agg
            copy = window.copy()
            copy.set("this", agg)
            return copy

        def argument() -> exp.Expr:
            return exp.Distinct(expressions=[arg.copy()]) if distinct else arg.copy()

        summed = sum_type(numeric)
        total = exp.Cast(
            this=over(exp.Sum(this=argument())),
            to=decimal_type(Numeric("decimal", min(summed.precision, 34), summed.scale)),
        )
        count = exp.Cast(this=over(exp.Count(this=argument())), to=data_type("DECIMAL(20, 0)"))
        return exp.Cast(this=exp.Div(this=total, expression=count, typed=True, safe=False), to=decimal_type(result))
