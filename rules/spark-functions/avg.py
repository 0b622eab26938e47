"""AVG of integers: fractional in Spark, truncated to an integer in Flink."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.context import FRACTIONAL_TYPES


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
            before="SELECT avg(CAST(a AS DECIMAL(10, 2))) FROM t",
            after="SELECT AVG(TRY_CAST(a AS DECIMAL(10, 2))) FROM t",
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
        cast = exp.Cast(this=arg.copy(), to=exp.DataType.build("DOUBLE"))
        if holder is node:
            node.set("this", cast)
        else:
            holder.set("expressions", [cast])
        return node
