"""The dbt relation of each model, seed and snapshot: ``database.schema.identifier``, as dbt
computes it.

dbt asks three macros (https://docs.getdbt.com/docs/build/custom-schemas):
``generate_database_name(custom_database_name, node)``,
``generate_schema_name(custom_schema_name, node)`` and
``generate_alias_name(custom_alias_name, node)``.  A macro of that name in the project's own
``macros/`` overrides dbt's default, which is:

* database: the ``database`` config, else the target's database;
* schema: the target schema, or ``<target_schema>_<schema config>`` for a custom schema;
* identifier: the ``alias`` config, else the model name (``<name>_v<version>`` for a
  versioned model).

A snapshot with the legacy ``target_schema`` / ``target_database`` configs gets them verbatim.
The results go to :attr:`Node.database`, :attr:`Node.schema` and :attr:`Node.identifier`; the
Flink table names then follow from them (:mod:`shiftleft.migration.relations`).  A project
macro that cannot be rendered for a node leaves that node on dbt's default with an
``SL5024`` warning.
"""

from __future__ import annotations

from typing import Any

from shiftleft.migration.codes import RELATION_ID
from shiftleft.migration.project import TARGET_SCHEMA, DbtProject, Node
from shiftleft.migration.render import Renderer, RenderError
from shiftleft.models import Diagnostic

_KINDS = ("model", "seed", "snapshot")


def node_context(node: Node, project: DbtProject) -> dict[str, Any]:
    """The ``node`` a generate_*_name macro sees (the fields such macros read)."""
    path = node.file_path or ""
    return {
        "name": node.name,
        "unique_id": node.unique_id,
        "resource_type": node.resource_type,
        "package_name": node.package,
        "fqn": [node.package, *node.folders, node.name],
        "path": "/".join([*node.folders, path.rsplit("/", 1)[-1]]) if path else node.name,
        "original_file_path": path,
        "config": dict(node.config),
        "tags": node.tags,
        "version": node.config.get("version"),
        "database": project.name,
        "schema": TARGET_SCHEMA,
        "alias": node.config.get("alias"),
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _default(kind: str, custom: str | None, node: Node, project: DbtProject) -> str:
    if kind == "database":
        return custom or project.name
    if kind == "schema":
        return f"{TARGET_SCHEMA}_{custom}" if custom else TARGET_SCHEMA
    if custom:
        return custom
    version = node.config.get("version")
    return f"{node.name}_v{str(version).replace('.', '_')}" if version else node.name


def resolve(renderer: Renderer, project: DbtProject) -> dict[str, list[Diagnostic]]:
    """Set the relation parts of every model, seed and snapshot; warnings per unique id."""
    notes: dict[str, list[Diagnostic]] = {}
    for node in project.nodes.values():
        if node.resource_type not in _KINDS or node.compiled_code is not None:
            continue
        config = node.config
        legacy = node.resource_type == "snapshot" and config.get("target_schema")
        customs = {
            "database": _text(config.get("target_database") if legacy else config.get("database")),
            "schema": _text(config.get("target_schema") if legacy else config.get("schema")),
            "alias": _text(config.get("alias")),
        }
        found: dict[str, str] = {}
        for kind in ("database", "schema", "alias"):
            custom = customs[kind]
            if legacy and kind != "alias":
                found[kind] = custom or _default(kind, None, node, project)
                continue
            try:
                value = renderer.project_macro(
                    node, f"generate_{kind}_name", custom, node_context(node, project)
                )
            except RenderError as e:
                value = None
                notes.setdefault(node.unique_id, []).append(
                    Diagnostic.of(
                        RELATION_ID,
                        f"the project's generate_{kind}_name cannot be rendered for "
                        f"{node.name} ({e.message}); dbt's default names it",
                        suggestion=f"fix macro generate_{kind}_name",
                    )
                )
            found[kind] = _text(value) or _default(kind, custom, node, project)
        node.database, node.schema, node.identifier = (
            found["database"],
            found["schema"],
            found["alias"],
        )
    return notes
