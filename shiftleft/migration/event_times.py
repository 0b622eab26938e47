"""The event time of each dbt table, from every place a project (or its user) declares it.

In order of precedence:

1. ``shiftleft migrate --event-time table.column`` (``migrate(event_time={table: column})``);
   ``table`` is a model name, a source table as ``source.table`` or its identifier;
2. a column marked ``meta: {event_time: true}`` in the properties .yml (under ``config:`` too);
3. dbt's own ``config(event_time=...)`` (dbt 1.9, microbatch), on models and sources;
4. a source's ``loaded_at_field`` (freshness), a snapshot's ``updated_at``, the column of a
   model's ``is_incremental()`` filter (found later, by the translation).

The first three are applied to the nodes here: a source's becomes its ``loaded_at_field`` (the
source DDL's ``WATERMARK`` column), a model's its ``config['event_time']``, which the
translation declares ``TIMESTAMP(3)`` with a watermark when the model outputs it.
"""

from __future__ import annotations

from collections.abc import Mapping

from shiftleft.migration.codes import EVENT_TIME_ID
from shiftleft.migration.project import DbtProject, Node
from shiftleft.models import Diagnostic, Severity


def _names(node: Node) -> set[str]:
    names = {node.name.lower(), node.table_name.lower()}
    if node.source_name:
        names.add(f"{node.source_name}.{node.name}".lower())
    return names


def _set(node: Node, column: str) -> None:
    if node.resource_type == "source":
        node.loaded_at_field = column
    else:
        node.config["event_time"] = column


def apply_event_times(project: DbtProject, overrides: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """Set each node's event time from ``overrides``, column ``meta`` and ``config``; notes
    for overrides naming no table and for ambiguous ``meta`` marks."""
    notes: list[Diagnostic] = []
    wanted = {t.lower(): c for t, c in (overrides or {}).items()}
    used: set[str] = set()
    for node in project.nodes.values():
        if node.resource_type not in ("model", "source", "snapshot", "seed"):
            continue
        given = next(((t, wanted[t]) for t in sorted(_names(node)) if t in wanted), None)
        marked = [c.name for c in node.columns.values() if c.event_time]
        if given is not None:
            used.add(given[0])
            _set(node, given[1])
        elif len(marked) == 1:
            _set(node, marked[0])
        elif len(marked) > 1:
            notes.append(
                Diagnostic.of(
                    EVENT_TIME_ID,
                    f"{node.name}: several columns are marked meta: {{event_time: true}} "
                    f"({', '.join(marked)}); none is used",
                    severity=Severity.WARNING,
                    suggestion=f"mark one, or pass --event-time {node.name}.COLUMN",
                )
            )
        elif node.resource_type == "source" and node.config.get("event_time"):
            node.loaded_at_field = str(node.config["event_time"])
    for table in sorted(set(wanted) - used):
        notes.append(
            Diagnostic.of(
                EVENT_TIME_ID,
                f"--event-time {table}.{wanted[table]}: the project has no model or source "
                f"table {table}",
                severity=Severity.ERROR,
                suggestion="name a model, a source table as source_name.table, or its identifier",
            )
        )
    return notes
