"""dbt relations and the Flink table names they get: never two relations in one table.

A dbt relation is ``database.schema.identifier``: a model's identifier is its ``alias`` (else
its name), its schema its ``schema`` config (as ``generate_schema_name`` composes it); a
source table's identifier is its ``identifier`` (else its name), its schema the source's
``schema`` (else the source name).  A Flink pipeline has one namespace, so relations whose
identifiers collide (case-insensitively, and after folder-name cleaning) are each given a
name qualified by their schema (``<schema>__<identifier>``, then a number if that still
collides), with an ``SL5009`` warning naming the relations: nothing collapses, nothing aborts,
and a model never reads its own sink.  A source with the identifier of a seed is that seed's
table (dbt projects declare seeds as sources too) and is left to share it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from shiftleft.migration.project import TARGET_SCHEMA, Node
from shiftleft.migration.codes import PROJECT_ID
from shiftleft.models import Diagnostic, Severity

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def identifier(node: Node) -> str:
    """The dbt identifier of ``node`` (alias / source identifier, else its name)."""
    if node.resource_type == "source":
        return str(node.identifier or node.name)
    return str(node.identifier or node.config.get("alias") or node.name)


def schema(node: Node) -> str | None:
    """The schema part of the node's relation that tells it apart: a source's schema (else
    its source name); a model's custom schema (what generate_schema_name made of it, less the
    target schema dbt's default puts in front), None when it is in the target schema."""
    if node.resource_type == "source":
        return str(node.schema or node.source_name or "") or None
    if node.schema is not None:
        prefix = f"{TARGET_SCHEMA}_"
        if node.schema == TARGET_SCHEMA:
            return None
        return node.schema[len(prefix) :] if node.schema.startswith(prefix) else node.schema
    custom = node.config.get("schema")
    return str(custom) if custom else None


def relation(node: Node) -> str:
    """``database.schema.identifier`` as far as the project says."""
    if node.resource_type != "source" and node.schema is not None:
        parts = [node.database, node.schema, identifier(node)]
    else:
        parts = [node.config.get("database") or node.database, schema(node), identifier(node)]
    return ".".join(str(p) for p in parts if p)


def name_key(name: str) -> str:
    """Names that are one table (and one folder) for Flink and the pipelines layout."""
    return _UNSAFE.sub("_", name).strip("_").lower() or name.lower()


def assign_table_names(nodes: Mapping[str, Node]) -> dict[str, list[Diagnostic]]:
    """Give each node in ``nodes`` a unique Flink table name (:attr:`Node.flink_name`);
    the warnings per unique id, for the nodes renamed."""
    seeds = {name_key(identifier(n)) for n in nodes.values() if n.resource_type == "seed"}
    groups: dict[str, list[Node]] = {}
    for node in nodes.values():
        node.flink_name = None
        if node.resource_type not in ("model", "seed", "snapshot", "source"):
            continue
        if node.materialized == "ephemeral":
            continue
        key = name_key(identifier(node))
        if node.resource_type == "source" and key in seeds:
            continue
        groups.setdefault(key, []).append(node)
    taken = set(groups)
    notes: dict[str, list[Diagnostic]] = {}
    for _key, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        members.sort(key=lambda n: n.unique_id)
        for node in members:
            base = identifier(node)
            qualifier = schema(node) or node.resource_type
            candidate = f"{qualifier}__{base}"
            n = 2
            while name_key(candidate) in taken:
                candidate = f"{qualifier}__{base}_{n}"
                n += 1
            taken.add(name_key(candidate))
            node.flink_name = candidate
        others = ", ".join(f"{relation(n)} ({n.unique_id})" for n in members)
        same = len({relation(n).lower() for n in members}) < len(members)
        for node in members:
            notes.setdefault(node.unique_id, []).append(
                Diagnostic.of(
                    PROJECT_ID,
                    f"the relations {others} have the same table name {identifier(node)!r}; "
                    f"this one is written as {node.flink_name}"
                    + ("; dbt itself refuses two resources with one relation name" if same else ""),
                    severity=Severity.WARNING,
                    suggestion="give the models distinct aliases if the generated names do not suit",
                )
            )
    return notes

