"""Reading a dbt project's files: text and YAML within limits (:func:`read_text`,
:func:`read_yaml`) and the properties files (``schema.yml`` / ``sources.yml``: columns, tests,
constraints, configs and source tables).

Split from :mod:`shiftleft.migration.project`, which finds the files and re-exports these.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

#: libyaml's safe loader when PyYAML has it (several times faster), else the pure-Python one
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

from shiftleft.errors import ConfigError
from shiftleft.migration.project_nodes import (
    Column,
    Node,
    _names,
    column_meta,
    merge_config,
    meta_event_time,
)

#: limits on what one project file may hold (a YAML alias bomb, a runaway generated file)
MAX_FILE_BYTES = 20_000_000
MAX_YAML_ALIASES = 10_000
_ALIAS = re.compile(r"(?:^|[\s\[{,:-])\*[A-Za-z0-9_-]+")
#: a loaded_at_field that names a column (dbt also takes an expression: it cannot be the event time)
_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def read_text(path: Path, root: Path | None = None) -> str:
    """The text of a project file; ConfigError when it is outside ``root`` (a symbolic link
    out of the project), too large, or not UTF-8."""
    if root is not None:
        try:
            path.resolve().relative_to(root.resolve())
        except ValueError:
            raise ConfigError(
                f"{path}: leads outside the project ({path.resolve()}); not read"
            ) from None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_FILE_BYTES} bytes; not read")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start}); not read") from None
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e}") from None


def read_yaml(path: Path, root: Path | None = None) -> Any:
    """YAML content of ``path``; a syntax error becomes a ConfigError with the line."""
    text = read_text(path, root)
    if len(_ALIAS.findall(text)) > MAX_YAML_ALIASES:
        raise ConfigError(f"{path}: more than {MAX_YAML_ALIASES} YAML aliases; not read")
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}:{where}: not valid YAML ({e.problem})") from None
    except yaml.YAMLError as e:  # e.g. a control character (ReaderError: no line / column)
        raise ConfigError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from None


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _listed(value: Any, where: str) -> list[Any]:
    """A YAML list (None: empty); anything else is a ConfigError naming ``where``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _tests(entries: Any) -> list[str]:
    """Generic test names: ``- unique``, ``- relationships: {...}``, ``- dbt_utils.x: {...}``
    and the ``- name: my_test`` / ``test_name: unique`` form."""
    names = []
    for entry in _names(entries):
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict) and "test_name" in entry:
            names.append(str(entry["test_name"]))
        elif isinstance(entry, dict) and entry:
            names.append(str(next(iter(entry))))
    return [n.split(".")[-1] for n in names]


def _columns(entries: Any, where: str) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    for entry in _listed(entries, f"{where}.columns"):
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(f"{where}: each column needs a name")
        constraints = [
            str(c.get("type")) for c in _names(entry.get("constraints")) if isinstance(c, dict)
        ]
        data_type = entry.get("data_type")
        if isinstance(data_type, list | dict):
            raise ConfigError(f"{where}: column {entry['name']}: data_type must be a type name")
        columns[str(entry["name"])] = Column(
            name=str(entry["name"]),
            data_type=_text(data_type),
            tests=_tests(entry.get("data_tests", entry.get("tests"))),
            constraints=constraints,
            event_time=meta_event_time(entry),
            description=_text(entry.get("description")) or "",
            meta=column_meta(entry),
        )
    return columns


def _read_properties(
    file: Path,
    root: Path,
    project: str,
    by_name: dict[tuple[str, str], Node],
    nodes: dict[str, Node],
    described: dict[str, str],
    problems: list[str],
) -> None:
    """Read one properties file into ``nodes``.  ``described``: the file that described each
    resource first (dbt refuses a project that describes one twice: the later entry is
    reported in ``problems`` and not read)."""
    data = read_yaml(file, root)
    if not isinstance(data, dict):
        return
    where = file.relative_to(root).as_posix()
    for kind in ("model", "seed", "snapshot"):
        for entry in _listed(data.get(f"{kind}s"), f"{where}: {kind}s"):
            if not isinstance(entry, dict) or "name" not in entry:
                raise ConfigError(f"{where}: each entry of {kind}s needs a name")
            node = by_name.get((kind, str(entry["name"])))
            if node is None:
                continue  # properties of a disabled or missing node: dbt warns, so do we later
            if _described_twice(f"{kind} {entry['name']}", where, described, problems):
                continue
            merge_config(
                node.config, _mapping(entry.get("config"), f"{where}: {entry['name']}.config")
            )
            node.columns.update(_columns(entry.get("columns"), f"{where}: {entry['name']}"))
            for constraint in _names(entry.get("constraints")):
                if isinstance(constraint, dict):
                    node.constraints.append(
                        (
                            str(constraint.get("type")),
                            [str(c) for c in _names(constraint.get("columns"))],
                        )
                    )
    for source in _listed(data.get("sources"), f"{where}: sources"):
        if not isinstance(source, dict) or "name" not in source:
            raise ConfigError(f"{where}: each source needs a name")
        for table in _listed(source.get("tables"), f"{where}: source {source['name']}: tables"):
            if not isinstance(table, dict) or "name" not in table:
                raise ConfigError(f"{where}: each table of source {source['name']} needs a name")
            name = f"source table {source['name']}.{table['name']}"
            if _described_twice(name, where, described, problems):
                continue
            node = _source_table(source, table, project, where)
            nodes[node.unique_id] = node


def _described_twice(resource: str, where: str, described: dict[str, str], problems: list[str]) -> bool:
    """Whether ``resource`` was described by an earlier properties entry (then say so in
    ``problems``); else record ``where`` as its description."""
    first = described.get(resource)
    if first is None:
        described[resource] = where
        return False
    problems.append(
        f"{where}: {resource} is described a second time (first in {first}); dbt refuses the "
        "project (two properties entries for one resource): this entry is not read"
    )
    return True


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _source_table(source: dict[str, Any], table: dict[str, Any], project: str, where: str) -> Node:
    """The node of one table of a source; the table's settings override the source's."""
    config: dict[str, Any] = {}
    for level in (source, table):
        merge_config(config, {"tags": _names(level.get("tags"))})
        merge_config(config, _mapping(level.get("config"), f"{where}: {level['name']}.config"))
    loaded_at = table.get("loaded_at_field", source.get("loaded_at_field"))
    loaded_at = config.get("loaded_at_field", loaded_at)  # dbt >= 1.10: under config
    if loaded_at is not None and not _COLUMN_NAME.fullmatch(str(loaded_at)):
        loaded_at = None  # an expression (DATEADD(sec, _uploaded_at, ...)) is no column to declare
    return Node(
        unique_id=f"source.{project}.{source['name']}.{table['name']}",
        resource_type="source",
        name=str(table["name"]),
        package=project,
        file_path=where,
        source_name=str(source["name"]),
        identifier=table.get("identifier"),
        schema=_text(source.get("schema")),
        database=_text(source.get("database")),
        loaded_at_field=loaded_at,
        columns=_columns(table.get("columns"), f"{where}: {source['name']}.{table['name']}"),
        config=config,
    )
