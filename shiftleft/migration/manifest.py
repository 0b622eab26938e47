"""Read a compiled dbt ``target/manifest.json`` as a project whose models are already rendered.

When users have run ``dbt compile --full-refresh`` (their own adapter, macros and packages),
the manifest holds each model's ``compiled_code``, its parents (``depends_on``), config,
columns and tests: shiftleft then skips its own Jinja rendering.  Compiled SQL names tables by
their full relation (``"db"."schema"."table"``); those become the Flink table names.

https://docs.getdbt.com/reference/artifacts/manifest-json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from shiftleft.errors import ConfigError
from shiftleft.migration.project import Column, DbtProject, Node
from shiftleft.migration.relations import assign_table_names
from shiftleft.migration.render import ADAPTER_DIALECTS

_KINDS = ("model", "seed", "snapshot")


def _columns(entries: dict[str, Any]) -> dict[str, Column]:
    columns = {}
    for name, entry in (entries or {}).items():
        constraints = [
            str(c.get("type")) for c in entry.get("constraints") or [] if isinstance(c, dict)
        ]
        columns[name] = Column(name=name, data_type=entry.get("data_type"), constraints=constraints)
    return columns


def _relation_key(relation: str, dialect: str) -> tuple[str, ...] | None:
    try:
        table = exp.to_table(relation, dialect=dialect)
    except Exception:  # noqa: BLE001 - an unusual relation name is simply not mapped
        return None
    return tuple(p.lower() for p in (table.catalog, table.db, table.name) if p)


def rename_relations(sql: str, names: dict[tuple[str, ...], str], dialect: str) -> str:
    """``sql`` with each full relation name (``"db"."schema"."t"``) replaced by its table name."""
    tree = sqlglot.parse_one(sql, read=dialect)
    for table in list(tree.find_all(exp.Table)):
        key = tuple(p.lower() for p in (table.catalog, table.db, table.name) if p)
        found = names.get(key)
        if found is not None and len(key) > 1:
            replacement = exp.to_table(exp.to_identifier(found).sql(dialect), dialect=dialect)
            if table.alias:
                replacement.set("alias", table.args["alias"])
            table.replace(replacement)
    return tree.sql(dialect, pretty=True)


def load_manifest(path: Path) -> tuple[DbtProject, str | None]:
    """The project described by a ``manifest.json``, and the dialect of its adapter."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from None
    except json.JSONDecodeError as e:
        raise ConfigError(
            f"{path}: not JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    if not isinstance(data, dict) or "nodes" not in data or "metadata" not in data:
        raise ConfigError(f"{path}: not a dbt manifest (no 'nodes' / 'metadata')")
    metadata = data["metadata"]
    dialect = ADAPTER_DIALECTS.get(str(metadata.get("adapter_type")))
    project_name = str(metadata.get("project_name") or "")
    nodes: dict[str, Node] = {}
    for uid, entry in data["nodes"].items():
        kind = entry.get("resource_type")
        if kind not in _KINDS or not entry.get("config", {}).get("enabled", True):
            continue
        project_name = project_name or str(entry.get("package_name"))
        fqn = entry.get("fqn") or []
        config = dict(entry.get("config") or {})
        node = Node(
            unique_id=uid,
            resource_type=kind,
            name=str(entry["name"]),
            package=str(entry.get("package_name")),
            file_path=entry.get("original_file_path"),
            folders=[str(f) for f in fqn[1:-1]],
            config=config,
            columns=_columns(entry.get("columns")),
            constraints=[
                (str(c.get("type")), [str(x) for x in c.get("columns") or []])
                for c in entry.get("constraints") or []
            ],
            compiled_code=entry.get("compiled_code") if kind != "seed" else None,
            depends_on=list((entry.get("depends_on") or {}).get("nodes") or []),
            relation_name=entry.get("relation_name"),
        )
        if kind == "seed" and entry.get("root_path") and node.file_path:
            node.seed_path = Path(entry["root_path"]) / node.file_path
        if kind != "seed" and node.compiled_code is None:
            node.raw_code = str(entry.get("raw_code") or "")
        nodes[uid] = node
    for uid, entry in (data.get("sources") or {}).items():
        nodes[uid] = Node(
            unique_id=uid,
            resource_type="source",
            name=str(entry["name"]),
            package=str(entry.get("package_name")),
            file_path=entry.get("original_file_path"),
            source_name=str(entry.get("source_name")),
            identifier=entry.get("identifier"),
            schema=entry.get("schema"),
            database=entry.get("database"),
            loaded_at_field=entry.get("loaded_at_field"),
            columns=_columns(entry.get("columns")),
            config={"tags": list(entry.get("tags") or [])},
            relation_name=entry.get("relation_name"),
        )
    for entry in data["nodes"].values():  # unique / not_null tests mark the key columns
        meta = entry.get("test_metadata") or {}
        attached = entry.get("attached_node")
        column = entry.get("column_name")
        if entry.get("resource_type") == "test" and attached in nodes and column:
            target = nodes[attached].columns.setdefault(column, Column(name=column))
            target.tests.append(str(meta.get("name")))
    assign_table_names(nodes)
    names = {}
    for node in nodes.values():
        if node.relation_name:
            key = _relation_key(node.relation_name, dialect or "spark")
            if key:
                names[key] = node.table_name
    for node in nodes.values():
        if node.compiled_code:
            try:
                node.compiled_code = rename_relations(node.compiled_code, names, dialect or "spark")
            except Exception:  # noqa: BLE001 - left as is: the translation reports it
                pass
    root = Path(path).resolve().parent
    if root.name == "target":
        root = root.parent
    project = DbtProject(
        name=project_name or "dbt",
        root=root,
        profile=None,
        vars={},
        nodes=nodes,
        macros=[],
        packages=[],
        compiled=True,
    )
    return project, dialect
