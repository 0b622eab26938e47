"""Checks of a model's Flink query that need no planner: what the static report must not
leave to ``--plan`` (columns no parent has, strings in arithmetic), and the final ORDER BY a
dbt table does not have."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot import exp

from shiftleft.migration.codes import CLASH_ID, COLUMNS_ID, ORDER_RULE_ID, TYPE_ID
from shiftleft.migration.columns import TYPED_KINDS, column_checks
from shiftleft.migration.type_clashes import KINDS as CLASH_KINDS
from shiftleft.migration.type_clashes import type_clashes
from shiftleft.migration.walked import Walked
from shiftleft.models import Diagnostic, Severity
from shiftleft.rewrite.context import node_position
from shiftleft.streaming.typed_query import TypedQuery, flink_type


def _drop_final_order(tree: exp.Expr) -> bool:
    """Remove the query's own ORDER BY when it has no LIMIT / FETCH (True if removed)."""
    order = tree.args.get("order")
    if order is None or tree.args.get("limit") is not None or tree.args.get("fetch") is not None:
        return False
    order.pop()
    return True


def _listing(schema: dict[str, dict[str, str]], limit: int = 12) -> str:
    parts = []
    for table, columns in schema.items():
        names = list(columns)
        more = f", ... {len(names) - limit} more" if len(names) > limit else ""
        parts.append(f"{table}: {', '.join(names[:limit])}{more}")
    return "; ".join(parts)


def check_model(
    tree: exp.Expr,
    parent_schema: dict[str, dict[str, str]],
    read: str,
    diagnostics: list[Diagnostic],
    typed: Callable[[], TypedQuery] | None = None,
    broken: Sequence[str] = (),
) -> tuple[list[Diagnostic], bool]:
    """(the diagnostics, updated; True when the model's DML cannot be right) for the Flink
    query ``tree`` of a model (changed in place: its final ORDER BY without LIMIT dropped).
    ``typed``: makes ``tree``, once its ORDER BY is dropped, qualified and typed for the
    column checks (see :func:`~shiftleft.migration.columns.column_checks`).  ``broken``: the
    tables of ``parent_schema`` whose column types are not to be trusted (not translated): a
    type error on one of their columns is a warning, the model being blocked by them."""
    owner = _broken_owner(parent_schema, broken)
    notes = list(diagnostics)
    failed = False
    if _drop_final_order(tree):
        notes = [
            d for d in notes if d.rule_id != ORDER_RULE_ID or d.severity is Severity.INFO
        ]
        notes.append(
            Diagnostic.of(
                ORDER_RULE_ID,
                "the model's final ORDER BY (without LIMIT) is dropped: the rows of a dbt "
                "table or view have no order, and Flink streaming can sort only on a time attribute",
                severity=Severity.INFO,
            )
        )
    flink_schema = {
        table: {c: flink_type(t, read) or "STRING" for c, t in columns.items()}
        for table, columns in parent_schema.items()
    }
    typed_query = typed() if typed else None
    # the typed copy walked once for its column checks and type clashes (not qualified: neither)
    walked = (
        Walked(typed_query.tree, (*TYPED_KINDS, *CLASH_KINDS))
        if typed_query is not None and typed_query.qualify_error is None
        else None
    )
    missing, text_uses = column_checks(tree, flink_schema, typed_query, walked)
    if missing is not None:
        failed = True
        message, line, column = missing
        notes.append(
            Diagnostic.of(
                COLUMNS_ID,
                f"{message} in the tables it reads (their columns: {_listing(parent_schema)})",
                severity=Severity.ERROR,
                suggestion="check the model against its parents' columns (declared, or as migrated)",
                line=line,
                column=column,
            )
        )
    uses: dict[str, list[str]] = {}
    for column_name, operation in text_uses:
        uses.setdefault(column_name, []).append(operation)
    for column_name, operations in uses.items():
        parent = owner(column_name)
        notes.append(
            Diagnostic.of(
                TYPE_ID,
                f"column {column_name} is a STRING (declared so, or its type is not known) and "
                f"is used in {', '.join(operations)}: Flink rejects arithmetic on strings, and "
                "has no common type of a string and a number or boolean"
                + (_UNTRUSTED.format(parent=parent) if parent else ""),
                severity=Severity.WARNING if parent else Severity.ERROR,
                suggestion="declare the column's data_type (numeric) in the properties .yml of the "
                "source / model it comes from, or cast it in the model",
            )
        )
    if typed_query is not None and walked is not None:
        failed = _clashes(typed_query, walked, notes, owner) or failed
    return notes, failed


#: said of a type error on a column of a parent that is not translated
_UNTRUSTED = (
    " (its type comes from {parent}, which is not translated: not known until {parent} is "
    "fixed; this model is blocked by it)"
)


def _broken_owner(
    parent_schema: dict[str, dict[str, str]], broken: Sequence[str]
) -> Callable[[str], str | None]:
    """name -> the untrusted parent (of ``broken``) having a column of that name, if any."""
    columns = {
        column.lower(): table
        for table in broken
        for column in parent_schema.get(table, {})
    }
    return lambda name: columns.get(name.lower())


def _clashes(
    typed: TypedQuery, walked: Walked, notes: list[Diagnostic], owner: Callable[[str], str | None]
) -> bool:
    """Report the operands of ``typed`` (``walked``: its tree walked) whose types Flink cannot
    bring together (True if one is an error: not only on columns of untrusted parents, see
    :func:`_broken_owner`)."""
    found = False
    for clash in type_clashes(typed.tree, walked):
        left, right = clash.left.sql("flink"), clash.right.sql("flink")
        pair = left if clash.left is clash.right else f"{left} and {right}"
        parent = next(
            (
                owner(c.name)
                for side in (clash.left, clash.right)
                for c in side.find_all(exp.Column)
                if owner(c.name)
            ),
            None,
        )
        notes.append(
            Diagnostic.of(
                CLASH_ID,
                f"{pair} ({clash.where}): {clash.why}; the Flink planner rejects it (a column "
                "whose type the project does not declare is a STRING here)"
                + (_UNTRUSTED.format(parent=parent) if parent else ""),
                severity=Severity.WARNING if parent else Severity.ERROR,
                suggestion="declare the columns' data_type in the properties .yml of the source / "
                "model they come from, or cast explicitly in the model",
                line=node_position(clash.node)[0],
                column=node_position(clash.node)[1],
            )
        )
        found = found or parent is None
    return found
