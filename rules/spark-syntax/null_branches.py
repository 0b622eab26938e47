"""Bare NULLs where Flink needs a type: a VALUES cell (IF branches: rules/spark-functions)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.dialects.flink_typing import inferred_counterpart, known_type, typed_null
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext


class TypedNullInValues(Rule):
    """A ``NULL`` cell of a ``VALUES`` list is typed by Spark from the other rows of its
    column; Flink rejects it ("Illegal use of 'NULL'").  The NULL becomes ``CAST(NULL AS
    <type>)`` with the type of the column's other cells (from the annotated statement); a
    column with no typed cell is reported.
    """

    id = "SL3013"
    name = "typed-null-in-values"
    title = "NULL cells of VALUES get the type of the other rows of their column"
    node_types = (exp.Values,)
    examples = (
        Example(
            before="SELECT c FROM VALUES (NULL), (5) AS tab(c)",
            after="SELECT c FROM (VALUES (CAST(NULL AS INT)), (5)) AS tab(c)",
        ),
        Example(
            before="SELECT a, b FROM VALUES (1, 'x'), (NULL, NULL) AS tab(a, b)",
            after="SELECT a, b FROM (VALUES (1, 'x'), (CAST(NULL AS INT), CAST(NULL AS STRING))) AS tab(a, b)",
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Values)
        rows = [r for r in node.expressions if isinstance(r, exp.Tuple)]
        if len(rows) != len(node.expressions) or not rows:
            return None
        width = min(len(r.expressions) for r in rows)
        twin = None
        changed = False
        for i in range(width):
            nulls = [r.expressions[i] for r in rows if isinstance(r.expressions[i], exp.Null)]
            if not nulls:
                continue
            kind = next(
                (k for r in rows if not isinstance(r.expressions[i], exp.Null)
                 for k in [ctx.declared_type(r.expressions[i])] if k is not None and k.this != exp.DType.DECIMAL),
                None,
            )
            if kind is None:
                twin = twin or inferred_counterpart(node, ctx.schema, ctx.read, ctx.memo)
                if twin is not None:
                    cells = [r.expressions[i] for r in twin.expressions if isinstance(r, exp.Tuple)]
                    kind = next((known_type(c) for c in cells if known_type(c) is not None and not isinstance(c, exp.Null)), None)
            if kind is None:
                ctx.report(
                    nulls[0],
                    "a VALUES column with only NULLs has no type in Flink",
                    severity=Severity.ERROR,
                    suggestion="write CAST(NULL AS <type>) in one row",
                )
                continue
            for null in nulls:
                null.replace(typed_null(kind))
            changed = True
        return node if changed else None
