"""Casts that can fail on bad input: Spark gives NULL, Flink stops the job."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.user_functions import USER_FUNCTION
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.string_decimal import loose_target, read_string_exactly

_SPARK_READERS = {"spark", "spark2", "databricks", "hive"}
# Targets a value of any type converts to without a run-time failure.
_NEVER_FAILS = {*exp.DataType.TEXT_TYPES, exp.DType.BINARY, exp.DType.VARBINARY}


class FailingCastToTryCast(Rule):
    """Spark's ``CAST`` of a malformed value (``CAST('x' AS INT)``, a bad date string) returns
    NULL with ANSI mode off, the default of Spark 3 and of most dbt-spark projects.  Flink's
    ``CAST`` throws at run time instead, which fails a streaming job on the first bad record
    and restarts it in a loop.  ``TRY_CAST`` returns NULL like Spark.

    A cast to a string or binary type cannot fail and stays a ``CAST`` (so do casts to ARRAY,
    MAP and ROW types, which are type annotations more than conversions), as does a cast whose input is
    known (from a CAST or the schema) to be of the target type already.  A Spark job that ran
    with ANSI mode on raised an error instead: disable this rule to keep that behaviour.

    One cast family: Spark's function-style casts (``int(s)``, ``date(s)``, ``timestamp(s)``,
    ``to_timestamp(s)``, which the Spark reader gives as a plain ``CAST``) follow the same
    policy; a plain ``CAST`` of another reader (DuckDB, ...) is left alone.
    """

    id = "SL3004"
    name = "failing-cast-to-try-cast"
    title = "Casts that can fail on bad input become TRY_CAST (NULL instead of a job failure)"
    node_types = (exp.TryCast, exp.Cast)
    examples = (
        Example(before="SELECT CAST(s AS INT) FROM t", after="SELECT TRY_CAST(s AS INT) FROM t"),
        Example(before="SELECT CAST(s AS DATE) FROM t", after="SELECT TRY_CAST(s AS DATE) FROM t"),
        Example(before="SELECT CAST(a AS STRING) FROM t", after="SELECT CAST(a AS STRING) FROM t"),
        Example(before="SELECT int(s), date(s), to_timestamp(s) FROM t",
                after="SELECT TRY_CAST(s AS INT), TRY_CAST(s AS DATE), TRY_CAST(s AS TIMESTAMP) FROM t"),
        Example(before="SELECT date(d) FROM t", after="SELECT CAST(d AS DATE) FROM t", types={"t": {"d": "DATE"}}),
        Example(
            before="SELECT CAST(CAST(s AS INT) AS INT) FROM t",
            after="SELECT CAST(TRY_CAST(s AS INT) AS INT) FROM t",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if not isinstance(node, exp.TryCast):
            if (ctx.read.lower() not in _SPARK_READERS or isinstance(node.this, exp.Literal)
                    or node.meta.get(USER_FUNCTION)):
                return None  # a real CAST of another dialect, a typed literal, a user template
            node = exp.TryCast(this=node.this.copy(), to=node.to.copy())
            return self.apply(node, ctx)  # None: the plain CAST cannot fail and stays
        if node.args.get("safe") or node.to.this in _NEVER_FAILS or node.to.args.get("nested"):
            return None  # nested types: element casts are checked where the elements are built
        source = ctx.declared_type(node.this)
        if source is not None and source.this == node.to.this and source.this not in _NEVER_FAILS:
            return None
        node.set("safe", True)
        return node


#: aggregates whose result is a number whatever they read (MIN / MAX of a string is a string)
_NUMERIC_AGGREGATES = (exp.Sum, exp.Avg, exp.Count, exp.CountIf, exp.Stddev, exp.StddevPop, exp.StddevSamp,
                       exp.Variance, exp.VariancePop)


def _numeric_expression(node: exp.Expr) -> bool:
    """Arithmetic or a numeric aggregate (its value is a number, never a string)."""
    while isinstance(node, (exp.Paren, exp.Window)):
        node = node.this
    return isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.Neg, *_NUMERIC_AGGREGATES))


class StringToCompactDecimal(Rule):
    """Flink 2.3 reads a string into a DECIMAL of precision 18 or less with a lenient parser:
    ``CAST('a' AS DECIMAL(10, 2))`` is ``0.00`` and ``TRY_CAST('1a' AS DECIMAL(10, 2))`` is
    ``1.00``, where Spark, Snowflake and Flink's own wider DECIMALs give NULL (or an error, for
    a plain CAST).  Checked on Flink 2.3: ``'a'``, ``'1a'`` → 0.00, 1.00 for DECIMAL(10, 2) and
    DECIMAL(18, 2), NULL for DECIMAL(19, 2) and DECIMAL(38, 2).  So a cast of a string (or of a
    value whose type is not known to be numeric) to such a DECIMAL reads it into DECIMAL(38, s)
    first, then narrows: a malformed string stays NULL (or fails, for a CAST).  A value too large
    for the narrow type is NULL (Flink narrows a DECIMAL to NULL on overflow, checked on 2.3;
    the direct CAST of the string raised).  A cast from a known number (a typed column,
    arithmetic, SUM / AVG / COUNT...) is left as is.  The same reading (one helper,
    :mod:`shiftleft.rewrite.string_decimal`) fits a migrated model's columns to its sink's
    declared DECIMAL types, and seed values to theirs.
    """

    id = "SL3029"
    name = "string-to-compact-decimal"
    title = "a string cast to DECIMAL(p <= 18, s) is read as DECIMAL(38, s) first (Flink parses it loosely)"
    phase = "check"
    node_types = (exp.TryCast, exp.Cast)
    examples = (
        Example(
            before="SELECT CAST(s AS DECIMAL(10, 2)) FROM t",
            after="SELECT TRY_CAST(TRY_CAST(s AS DECIMAL(38, 2)) AS DECIMAL(10, 2)) FROM t",
            types={"t": {"s": "STRING"}},
        ),
        Example(
            before="SELECT CAST(a AS DECIMAL(10, 2)), CAST(s AS DECIMAL(20, 2)) FROM t",
            after="SELECT TRY_CAST(a AS DECIMAL(10, 2)), TRY_CAST(s AS DECIMAL(20, 2)) FROM t",
            types={"t": {"a": "INT", "s": "STRING"}},
        ),
        Example(
            before="SELECT CAST(s AS DECIMAL(10, 2)) FROM t",
            after="SELECT CAST(CAST(s AS DECIMAL(38, 2)) AS DECIMAL(10, 2)) FROM t",
            read="duckdb",
            types={"t": {"s": "STRING"}},
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, (exp.Cast, exp.TryCast))
        if loose_target(node.to) is None:
            return None
        source = ctx.declared_type(node.this)
        if source is None and _numeric_expression(node.this):
            return None
        return node if read_string_exactly(node, source) else None
