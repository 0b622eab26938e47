"""Flink's ``WITH ORDINALITY`` counts from 1; Spark's posexplode position and Snowflake's
FLATTEN ``INDEX`` from 0.  Not a rule file: its name starts with ``_``."""

from __future__ import annotations

from sqlglot import exp


def zero_based(column: exp.Column, select: exp.Select) -> None:
    """Replace a reference to an ordinality column of ``select`` by ``column - 1`` (kept under
    its name when it is a projection of ``select``)."""
    shifted = exp.Sub(this=column.copy(), expression=exp.Literal.number(1))
    if column.parent is select and column.arg_key == "expressions":
        column.replace(exp.alias_(shifted, column.name))
    else:
        column.replace(exp.Paren(this=shifted))
