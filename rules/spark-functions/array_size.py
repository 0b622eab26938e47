"""Snowflake's ARRAY_SIZE and Spark's array_size: NULL for NULL (the file sorts before
arrays.rules, whose SL1050 gives Spark's size(NULL) = -1), and the size of a JSON array."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.rewrite.semi_structured import array_of_elements, builds_array, is_json


class SnowflakeArraySize(Rule):
    """Snowflake's ``ARRAY_SIZE(a)`` is the number of elements of an array and NULL for a NULL
    array (documented), where Spark's ``size`` gives -1 (SL1050): it becomes
    ``CARDINALITY(a)``.  An ARRAY held as JSON text (a VARIANT, a string, a path read: see
    :mod:`shiftleft.rewrite.semi_structured`) is read with
    ``JSON_QUERY(a, '$' RETURNING ARRAY<STRING>)`` first.
    """

    id = "SL1107"
    name = "snowflake-array-size"
    title = "Snowflake ARRAY_SIZE(a) becomes CARDINALITY(a) (NULL for NULL, not Spark's -1)"
    node_types = (exp.ArraySize,)
    examples = (
        Example(before="SELECT ARRAY_SIZE(arr) FROM t", after="SELECT CARDINALITY(arr) FROM t", read="snowflake",
                types={"t": {"arr": "ARRAY(INT)"}}),
        Example(before="SELECT ARRAY_SIZE(js:tags) FROM t", read="snowflake",
                after="SELECT CARDINALITY(JSON_QUERY(js, '$.tags' RETURNING ARRAY<STRING>)) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read != "snowflake" or node.expression is not None:
            return None
        value = node.this
        declared = ctx.declared_type(value)
        array = declared is not None and declared.this is exp.DType.ARRAY
        if not array and not builds_array(value) and is_json(value, ctx, unknown=False):
            value = array_of_elements(value)
        return exp.Anonymous(this="CARDINALITY", expressions=[value.copy()])


class SparkArraySize(Rule):
    """Spark's ``array_size(a)`` is NULL for a NULL array, whatever the ANSI mode (it is
    ``size`` with ``legacySizeOfNull`` off; checked on PySpark 4 with ANSI on and off), where
    ``size(a)`` gives -1 (SL1050).  sqlglot reads both as the same node; the name written is
    told by the length of the call's name token (kept in the node's source position): the
    file sorts before arrays.rules, so array_size becomes ``CARDINALITY(a)`` before SL1050
    sees it."""

    id = "SL1113"
    name = "spark-array-size"
    title = "array_size(a) becomes CARDINALITY(a): NULL for a NULL array, as in Spark (size(a) is -1)"
    node_types = (exp.ArraySize,)
    examples = (
        Example(before="SELECT array_size(arr) FROM t", after="SELECT CARDINALITY(arr) FROM t"),
        Example(before="SELECT size(arr) FROM t", after="SELECT COALESCE(CARDINALITY(arr), -1) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        if ctx.read.lower() not in ("spark", "spark2", "databricks", "hive") or node.expression is not None:
            return None
        start, end = node.meta.get("start"), node.meta.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and end - start + 1 == len("array_size")):
            return None
        return exp.Anonymous(this="CARDINALITY", expressions=[node.this.copy()])
