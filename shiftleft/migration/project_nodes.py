"""The records a dbt project is read into (:class:`Node`, :class:`Column`, :class:`DbtProject`)
and dbt's config inheritance (:func:`merge_config`, :func:`is_enabled`).

Split from :mod:`shiftleft.migration.project`, which reads the files into these records and
re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Column:
    """A column declared in a properties file."""

    name: str
    data_type: str | None = None
    tests: list[str] = field(default_factory=list)  #: generic test names (unique, not_null, ...)
    constraints: list[str] = field(default_factory=list)  #: constraint types (primary_key, ...)
    #: ``meta: {event_time: true}`` (or under ``config:``): the table's event time
    event_time: bool = False
    description: str = ""
    #: the column's ``meta`` (``config.meta`` and ``meta`` merged), as macros read it from ``graph``
    meta: dict[str, Any] = field(default_factory=dict)


def column_meta(entry: dict[str, Any]) -> dict[str, Any]:
    """A column entry's ``meta`` (dbt >= 1.10: under ``config:``; both merged)."""
    config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
    merged: dict[str, Any] = {}
    for meta in (config.get("meta"), entry.get("meta")):  # type: ignore[union-attr]
        if isinstance(meta, dict):
            merged.update(meta)
    return merged


def meta_event_time(entry: dict[str, Any]) -> bool:
    """A column entry marked ``meta: {event_time: true}`` (dbt >= 1.10: under ``config:``)."""
    return column_meta(entry).get("event_time") is True


@dataclass
class Node:
    """One dbt resource: a model, seed, snapshot or source table."""

    unique_id: str
    resource_type: str  #: model | seed | snapshot | source
    name: str
    package: str
    file_path: str | None = None  #: relative to the project, posix
    raw_code: str = ""
    folders: list[str] = field(default_factory=list)  #: folders below the resource path
    config: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, Column] = field(default_factory=dict)
    #: model-level constraints: [(type, [columns])]
    constraints: list[tuple[str, list[str]]] = field(default_factory=list)
    #: sources: the source name, the table identifier and the freshness column (a model's
    #: identifier is its relation's, as generate_alias_name gives it: see migration.identity)
    source_name: str | None = None
    identifier: str | None = None
    loaded_at_field: str | None = None
    #: seeds: the CSV file
    seed_path: Path | None = None
    #: compiled input (a manifest): the rendered SQL and the parents' unique ids
    compiled_code: str | None = None
    depends_on: list[str] = field(default_factory=list)
    relation_name: str | None = None
    #: the schema / database of the relation (a source's as declared; a model's as
    #: generate_schema_name / generate_database_name give them)
    schema: str | None = None
    database: str | None = None
    #: the Flink table name when the identifier clashes (see migration.relations)
    flink_name: str | None = None
    #: why the node's file could not be read (bad encoding, too large, outside the project)
    problem: str | None = None
    #: a package's node: the configs the root project's dbt_project.yml sets on it, which win
    #: over the node's own (its ``config()`` call too), as in dbt
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def materialized(self) -> str:
        if self.resource_type in ("seed", "snapshot", "source"):
            return self.resource_type
        return str(self.config.get("materialized") or "view")

    @property
    def table_name(self) -> str:
        """The Flink table name: the alias / identifier when set, else the dbt name (qualified
        when it clashes with another relation's, see :mod:`shiftleft.migration.relations`)."""
        if self.flink_name:
            return self.flink_name
        if self.resource_type == "source":
            return self.identifier or self.name
        return str(self.identifier or self.config.get("alias") or self.name)

    @property
    def tags(self) -> list[str]:
        return [str(t) for t in _names(self.config.get("tags"))]


@dataclass
class MacroFile:
    package: str
    path: Path
    text: str
    problem: str | None = None


@dataclass
class DbtProject:
    """A dbt project as files: its nodes, macros and variables."""

    name: str
    root: Path
    profile: str | None
    vars: dict[str, Any]
    nodes: dict[str, Node]
    macros: list[MacroFile]
    packages: list[str]  #: names of the packages found under dbt_packages/
    dispatch: list[dict[str, Any]] = field(default_factory=list)
    #: read from a compiled manifest.json: models carry compiled_code, nothing is rendered
    compiled: bool = False
    #: unique ids of the nodes disabled (``enabled: false``) in dbt_project.yml or properties
    disabled: list[str] = field(default_factory=list)
    #: the vars the models of an installed package see: its own dbt_project.yml's, under the
    #: project's (global, then scoped to it: ``vars: {github: {...}}``) and ``--vars``
    package_vars: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: files that could not be read (malformed YAML, outside the project...): the rest is read
    problems: list[str] = field(default_factory=list)
    #: ``on-run-start`` / ``on-run-end`` of dbt_project.yml: the SQL of each hook
    run_hooks: dict[str, list[str]] = field(default_factory=dict)
    #: packages that packages.yml / dependencies.yml declares but dbt_packages/ lacks:
    #: namespace -> the entry as written (``dbt-labs/dbt_utils``)
    missing_packages: dict[str, str] = field(default_factory=dict)
    #: model / seed / snapshot names defined by more than one file: name -> unique ids
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    #: ``version`` of dbt_project.yml, of the project and of each installed package, by name
    versions: dict[str, str | None] = field(default_factory=dict)


#: the schema of dbt's ``target`` when rendering (no profile is read for it); its database is
#: the project's name
TARGET_SCHEMA = "main"

def _names(value: Any) -> list[Any]:
    """Tags, hooks and the like: one value or a list of them (a mapping counts as one)."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def is_enabled(config: dict[str, Any]) -> bool:
    """False when ``config`` has ``enabled: false`` (also the string ``"false"``)."""
    enabled = config.get("enabled", True)
    if isinstance(enabled, str):
        return enabled.strip().lower() not in ("false", "no", "0", "off")
    return enabled is None or bool(enabled)


def merge_config(into: dict[str, Any], new: dict[str, Any]) -> None:
    """dbt's config inheritance: tags add up, ``meta`` merges, everything else replaces."""
    for key, value in new.items():
        key = key.lstrip("+")
        if key == "tags":
            tags = _names(value)
            into["tags"] = [
                *into.get("tags", []),
                *(t for t in tags if t not in into.get("tags", [])),
            ]
        elif key == "meta" and isinstance(value, dict):
            into["meta"] = {**into.get("meta", {}), **value}
        elif key.replace("_", "-") in ("pre-hook", "post-hook"):  # hooks add up, as in dbt
            hooks = value if isinstance(value, list) else [value]
            name = key.replace("_", "-")
            into[name] = [*into.get(name, []), *(h for h in hooks if h not in (None, ""))]
        else:
            into[key] = value
