"""Facts about dbt nodes a migration needs besides their SQL: the project's SQL dialect, a
node's declared key, the column its ``is_incremental()`` filter compares."""

from __future__ import annotations

import os
from pathlib import Path

import sqlglot
from sqlglot import exp

from shiftleft.migration.project import DbtProject, Node, read_yaml
from shiftleft.migration.render import ADAPTER_DIALECTS


def detect_read(project: DbtProject, profiles_dir: Path | None = None) -> str | None:
    """The SQL dialect of the project's adapter, from its profile in profiles.yml."""
    candidates = [
        profiles_dir,
        project.root,
        Path(os.environ.get("DBT_PROFILES_DIR", "") or "~/.dbt").expanduser(),
    ]
    for folder in candidates:
        if folder is None or not (Path(folder) / "profiles.yml").is_file():
            continue
        data = read_yaml(Path(folder) / "profiles.yml")
        profile = data.get(project.profile or project.name) if isinstance(data, dict) else None
        if isinstance(profile, dict):
            outputs = profile.get("outputs")
            if not isinstance(outputs, dict) or not outputs:
                continue
            output = outputs.get(str(profile.get("target"))) or next(iter(outputs.values()))
            if isinstance(output, dict) and str(output.get("type")) in ADAPTER_DIALECTS:
                return ADAPTER_DIALECTS[str(output["type"])]
    return None


def declared_key(node: Node) -> tuple[list[str], str]:
    """The table's primary key as the project declares it, and where it comes from."""
    unique_key = node.config.get("unique_key")
    if unique_key:
        keys = [unique_key] if isinstance(unique_key, str) else list(unique_key)
        if len(keys) == 1 and "," in keys[0]:
            keys = [k.strip() for k in keys[0].split(",")]
        return [str(k) for k in keys], "unique_key"
    for kind, columns in node.constraints:
        if kind == "primary_key" and columns:
            return columns, "primary_key constraint"
    pk = [c.name for c in node.columns.values() if "primary_key" in c.constraints]
    if pk:
        return pk, "primary_key constraint"
    tested = [c.name for c in node.columns.values() if {"unique", "not_null"} <= set(c.tests)]
    if len(tested) == 1:
        return tested, "unique + not_null tests"
    return [], ""


def incremental_column(sql: str, this: str, read: str) -> str | None:
    """The column an ``is_incremental()`` filter compares with ``max(...) from {{ this }}``."""
    try:
        tree = sqlglot.parse_one(sql, read=read)
    except Exception:  # noqa: BLE001 - no candidate then
        return None
    for comparison in tree.find_all(exp.GT, exp.GTE):
        left, right = comparison.this, comparison.expression
        if isinstance(left, exp.Column) and any(t.name == this for t in right.find_all(exp.Table)):
            return left.name
    return None
