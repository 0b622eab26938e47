"""Why tables are not translated, ranked by how many tables each cause keeps out.

A table's cause is its first error (code and message, with quoted names, literals and numbers
blanked so that one cause groups many tables); a ``blocked`` table counts for the cause of the
first reported table it reads, through any chain of blocked tables.  The report's "Causes"
section and the corpus benchmark rank causes by the tables they carry plus the tables they
block, so the first row is the fix that frees the most tables.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel

from shiftleft.migration.models import PipelineTable, Status
from shiftleft.migration.planning import dag_order
from shiftleft.models import Severity

_LITERALS = re.compile(r"'[^']*'|`[^`]*`|\"[^\"]*\"|\b\d+(\.\d+)?\b")


class Cause(BaseModel):
    """One normalised cause: the tables that carry it and those blocked by them."""

    cause: str
    tables: int
    blocking: int


def normalise(message: str) -> str:
    """A cause key: the first line of ``message`` with quoted names, literals and numbers
    blanked."""
    text = _LITERALS.sub("?", message.splitlines()[0] if message else "")
    return re.sub(r"\s+", " ", text).strip()[:140]


def table_cause(table: PipelineTable) -> str | None:
    """The cause of a table with an error of its own (None when it has none)."""
    for d in table.diagnostics:
        if d.severity is Severity.ERROR and d.rule_id != "SL5011":
            message = d.message
            # the Flink table's name and the dbt node's own (they differ for aliases)
            for name in {table.name, table.unique_id.rsplit(".", 1)[-1]}:
                message = re.sub(rf"\b{re.escape(name)}\b", "<model>", message)
            return f"{d.rule_id} {normalise(message)}"
    if table.status in (Status.FAILED, Status.NEEDS_LLM):
        return f"status {table.status.value}"
    return None


def rank_causes(tables: Iterable[PipelineTable]) -> list[Cause]:
    """The causes of the tables that are not translated, most tables affected first."""
    ordered = dag_order(list(tables))
    by_name: dict[str, list[PipelineTable]] = {}
    for t in ordered:
        by_name.setdefault(t.name, []).append(t)
    own: dict[str, str] = {}
    inherited: dict[str, str] = {}
    for table in ordered:
        cause = table_cause(table)
        if cause is not None:
            own[table.unique_id] = cause
            continue
        if table.status is not Status.BLOCKED:
            continue
        for name in table.parents:
            for parent in by_name.get(name, []):
                found = own.get(parent.unique_id) or inherited.get(parent.unique_id)
                if found and table.unique_id not in inherited:
                    inherited[table.unique_id] = found
    return rank(own.values(), inherited.values())


def rank(carried: Iterable[str], blocking: Iterable[str]) -> list[Cause]:
    """Causes ranked from the cause of each table carrying one and of each table blocked by
    one: most tables affected first, ties by name."""
    direct, blocked = Counter(carried), Counter(blocking)
    return sorted(
        (Cause(cause=c, tables=direct[c], blocking=blocked[c]) for c in {*direct, *blocked}),
        key=lambda r: (-(r.tables + r.blocking), r.cause),
    )
