"""A subquery in an expression (scalar, EXISTS, IN) that reads UNNEST of an outer column is
reported: Flink 2.3 cannot plan it."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.models import Mode, Severity
from shiftleft.rewrite import Example, Rule, RuleContext
from shiftleft.tree import select_inputs


def _in_expression(select: exp.Select) -> bool:
    """``select`` is the query of a scalar subquery, an EXISTS or an IN, not a FROM input."""
    parent = select.parent
    if isinstance(parent, exp.Subquery):
        return parent.parent is not None and not isinstance(parent.parent, (exp.From, exp.Join, exp.Lateral))
    return isinstance(parent, (exp.Exists, exp.In))


def _reads_unnest_of_column(select: exp.Select) -> bool:
    """A FROM / JOIN input of ``select`` is UNNEST of an expression over columns."""
    return any(
        isinstance(source, exp.Unnest) and any(e.find(exp.Column) for e in source.expressions)
        for source in select_inputs(select)
    )


class UnnestSubquery(Rule):
    """BigQuery reads a repeated field with a subquery over it: ``(SELECT value.int_value FROM
    UNNEST(event_params) WHERE key = 'page')`` (the GA4 export's way), or ``EXISTS (SELECT 1
    FROM UNNEST(tags) AS t WHERE t = 'x')``.  Flink 2.3 accepts the text but cannot plan any
    subquery in an expression over UNNEST of an outer row's array ("Cannot generate a valid
    execution plan", checked for scalar, aggregate and EXISTS forms), so it is reported.
    """

    id = "SL3032"
    name = "unnest-subquery"
    title = "a scalar / EXISTS / IN subquery over UNNEST of a column is reported (Flink cannot plan it)"
    node_types = (exp.Select,)
    phase = "check"
    examples = (
        Example(
            before="SELECT a, (SELECT MAX(x) FROM UNNEST(arr) AS x) AS m FROM t",
            after="SELECT a, (SELECT MAX(x) FROM UNNEST(arr) AS _t0(x)) AS m FROM t",
            read="bigquery",
            mode=Mode.BATCH,
            diagnoses=True,
        ),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Select)
        if _in_expression(node) and _reads_unnest_of_column(node):
            ctx.report(
                node.parent or node,
                "a subquery over UNNEST of a column has no Flink plan (Flink 2.3 cannot plan a "
                "correlated subquery over an array)",
                severity=Severity.ERROR,
                suggestion="join the array instead: FROM t CROSS JOIN UNNEST(arr) AS u(x) (LEFT JOIN "
                "... ON TRUE to keep rows without elements), then filter or aggregate by the row's key",
            )
        return None
