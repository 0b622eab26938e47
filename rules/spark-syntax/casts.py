"""Casts that can fail on bad input: Spark gives NULL, Flink stops the job."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.user_functions import USER_FUNCTION
from shiftleft.rewrite import Example, Rule, RuleContext

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
