"""Snowflake's ARRAY_SIZE: NULL for NULL, and the size of a JSON array (the file sorts before
arrays.rules, whose SL1050 gives Spark's size(NULL) = -1)."""

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
