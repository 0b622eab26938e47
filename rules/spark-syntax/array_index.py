"""Spark arrays are 0-based, Flink arrays 1-based."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext


class ArrayIndexOneBased(Rule):
    """Spark's ``arr[i]`` (and ``element_at`` is separate) indexes from 0; Flink's ``arr[i]``
    indexes from 1, so every array subscript gets ``+ 1``.  A string subscript is a map key
    and is left alone.  When the subscript is not an integer literal and the schema does not
    say the value is an array, the rule still assumes an array (maps with integer keys are
    rare) and warns, so a reviewer can check.
    """

    id = "SL3001"
    name = "array-index-one-based"
    title = "0-based Spark array subscripts become 1-based Flink subscripts"
    node_types = (exp.Bracket,)
    examples = (
        Example(before="SELECT arr[0] FROM t", after="SELECT arr[1] FROM t"),
        Example(before="SELECT m['k'] FROM t", after="SELECT m['k'] FROM t"),
        Example(before="SELECT arr[i] FROM t", after="SELECT arr[i + 1] FROM t", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Bracket)
        if node.args.get("json_access") or node.args.get("offset") or len(node.expressions) != 1:
            return None
        index = node.expressions[0]
        if isinstance(index, exp.Literal) and index.is_string:
            return None  # map access by key
        if isinstance(index, exp.Literal) and index.is_int:
            new_index: exp.Expr = exp.Literal.number(int(index.this) + 1)
        else:
            new_index = exp.Add(this=index.copy(), expression=exp.Literal.number(1))
            container = node.this
            known_array = isinstance(container, exp.Column) and (
                (declared := ctx.column_type(container)) is not None and declared.is_type("array")
            )
            if not known_array:
                ctx.report(
                    node,
                    f"assumed {container.sql(ctx.read)} is an array and shifted the subscript by "
                    "one (Spark arrays are 0-based, Flink arrays 1-based)",
                    severity=Severity.WARNING,
                    suggestion="if it is a MAP, use the original key; declare its type with "
                    "schema= to silence this",
                )
        # offset=1 tells the Flink generator the subscript is already 1-based.
        return exp.Bracket(this=node.this.copy(), expressions=[new_index], offset=1)
