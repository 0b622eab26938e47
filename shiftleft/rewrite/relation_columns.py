"""The column names of a FROM / JOIN input, for rules that write out what Spark resolves from
the inputs' columns (a star inside a function, a NATURAL join's shared columns)."""

from __future__ import annotations

from sqlglot import exp

from shiftleft.derive import derive
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.catalog import column_catalog


def input_columns(source: exp.Expr, ctx: RuleContext) -> list[str] | None:
    """The columns of ``source`` (a table, view of the script or subquery) in order, from the
    script's constant views, the schema or the derivation; None when not known."""
    if isinstance(source, exp.Table):
        listed = ctx.constant_relations.get(source.name.lower(), ())
        if listed:
            return list(listed)
    derived = derive(source, column_catalog(ctx)).columns
    if derived is None or "*" in derived:
        return None
    return list(derived)
