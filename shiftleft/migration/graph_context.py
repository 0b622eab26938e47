"""dbt's ``graph`` and ``selected_resources`` Jinja variables, from the project on disk.

Macros walk ``graph.nodes`` / ``graph.sources`` to find models by package, path, tag or config
(``{% for node in graph['nodes'].values() %}``).  dbt fills them from its manifest; here they
come from the project's nodes: one plain mapping per node with the fields macros read
(``unique_id``, ``name``, ``resource_type``, ``package_name``, ``original_file_path``,
``path``, ``fqn``, ``config``, ``tags``, ``columns``, ``schema``, ``database``, ``alias``,
``identifier``, ``source_name``).  Every enabled node counts as selected, as in ``dbt compile``.
"""

from __future__ import annotations

from typing import Any

from shiftleft.migration.project_nodes import Column, DbtProject, Node


def _column(column: Column) -> dict[str, Any]:
    """A column as in dbt's manifest (``config`` since dbt 1.10)."""
    meta = dict(column.meta)
    return {
        "name": column.name,
        "data_type": column.data_type,
        "description": column.description,
        "meta": meta,
        "tags": [],
        "quote": None,
        "constraints": [{"type": c} for c in column.constraints],
        "config": {"meta": meta, "tags": []},
    }


def _node(node: Node) -> dict[str, Any]:
    path = node.file_path or ""
    name = node.identifier or node.name if node.resource_type == "source" else node.name
    return {
        "unique_id": node.unique_id,
        "name": node.name,
        "resource_type": node.resource_type,
        "package_name": node.package,
        "original_file_path": path,
        "path": path.split("/", 1)[1] if "/" in path else path,
        "fqn": [node.package, *node.folders, node.name],
        "config": dict(node.config),
        "tags": list(node.config.get("tags") or []),
        "columns": {c.name: _column(c) for c in node.columns.values()},
        "schema": node.schema,
        "database": node.database,
        "alias": name,
        "identifier": name,
        "source_name": node.source_name,
        "depends_on": {"nodes": list(node.depends_on), "macros": []},
        "meta": dict(node.config.get("meta") or {}),
    }


def graph(project: DbtProject) -> dict[str, Any]:
    """The ``graph`` variable: nodes (models, seeds, snapshots) and sources by unique id."""
    nodes = {u: _node(n) for u, n in project.nodes.items() if n.resource_type != "source"}
    sources = {u: _node(n) for u, n in project.nodes.items() if n.resource_type == "source"}
    others = ("exposures", "metrics", "groups", "semantic_models", "saved_queries")
    return {"nodes": nodes, "sources": sources, **{kind: {} for kind in others}}


def selected_resources(project: DbtProject) -> list[str]:
    """``selected_resources``: every node of the run (dbt compile selects them all)."""
    return sorted(project.nodes)
