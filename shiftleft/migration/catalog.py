"""Column lists and types from dbt's ``target/catalog.json`` (written by ``dbt docs generate``).

The catalog is the warehouse's own answer to "which columns, of which types": it comes after
the project's properties files (a ``data_type`` declared there wins) and before any inference
from use.  A source that declares no columns gets the catalog's, in the warehouse's order; a
declared column without ``data_type`` gets the catalog's type.  Read when the user passes
``catalog=`` (``--catalog``), or found at ``<project>/target/catalog.json``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from shiftleft.errors import ConfigError
from shiftleft.migration.project import Column, DbtProject

logger = logging.getLogger(__name__)

#: where ``dbt docs generate`` leaves the catalog, relative to the project
DEFAULT_PATH = Path("target") / "catalog.json"
#: a catalog larger than this is not read (a 3,000-model project's is some tens of MB)
MAX_CATALOG_BYTES = 512_000_000


def find_catalog(project: DbtProject, given: Path | None) -> Path | None:
    """The catalog to read: ``given`` (must exist), else the project's own, if any."""
    if given is not None:
        if not given.is_file():
            raise ConfigError(f"--catalog {given}: no such file")
        return given
    default = project.root / DEFAULT_PATH
    if not default.is_file():
        return None
    try:  # the project's own file: never a link out of the project
        default.resolve().relative_to(project.root.resolve())
    except ValueError:
        raise ConfigError(f"{default}: leads outside the project; not read") from None
    return default


def _columns(entry: Any) -> list[tuple[str, str | None]]:
    columns = entry.get("columns") if isinstance(entry, dict) else None
    if not isinstance(columns, dict):
        return []
    found: list[tuple[int, str, str | None]] = []
    for key, column in columns.items():
        if not isinstance(column, dict):
            continue
        name = str(column.get("name") or key)
        if name.isupper():  # Snowflake's unquoted names: the models write them in any case
            name = name.lower()
        kind = column.get("type")
        position = column.get("index")
        index = position if isinstance(position, int) else len(found)
        found.append((index, str(name), str(kind) if kind else None))
    return [(name, kind) for _, name, kind in sorted(found, key=lambda c: c[0])]


def apply_catalog(project: DbtProject, path: Path) -> int:
    """Complete the columns of ``project``'s nodes from the catalog at ``path``; the number of
    columns added or typed."""
    try:
        if path.stat().st_size > MAX_CATALOG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CATALOG_BYTES} bytes; not read")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not a readable dbt catalog.json ({e})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a dbt catalog.json (no nodes / sources)")
    completed = 0
    for section in ("nodes", "sources"):
        entries = data.get(section)
        for unique_id, entry in (entries.items() if isinstance(entries, dict) else []):
            node = project.nodes.get(unique_id)
            if node is None:
                continue
            declared = {name.lower(): column for name, column in node.columns.items()}
            for name, kind in _columns(entry):
                column = declared.get(name.lower())
                if column is None:
                    node.columns[name] = Column(name=name, data_type=kind)
                    completed += 1
                elif not column.data_type and kind:
                    column.data_type = kind
                    completed += 1
    logger.info("catalog %s: %d columns added or typed", path, completed)
    return completed
