"""dbt's catalog.json completes the columns the properties files do not declare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_migrate_edges import make_project

from shiftleft.errors import ConfigError
from shiftleft.migration import Status, migrate


def _catalog(path: Path, columns: dict[str, str]) -> Path:
    entry = {
        "columns": {
            name.upper(): {"name": name.upper(), "type": kind, "index": i + 1}
            for i, (name, kind) in enumerate(columns.items())
        }
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"nodes": {}, "sources": {"source.demo.app.users": entry}}))
    return path


@pytest.mark.parametrize("where", ["project", "option"])
def test_a_source_read_with_star_gets_the_catalogs_columns(tmp_path: Path, where: str) -> None:
    """users declares no column and its reader selects *: without a catalog it is reported
    (SL5012); with one its DDL lists the warehouse's columns and types, in their order."""
    models = {"stg_users.sql": "select * from {{ source('app', 'users') }} where not is_active"}
    project = make_project(tmp_path / "p", models)
    columns = {"id": "NUMBER(38,0)", "name": "TEXT", "is_active": "BOOLEAN",
               "signed_up": "TIMESTAMP_NTZ"}  # fmt: skip
    given = None
    if where == "project":
        _catalog(project / "target" / "catalog.json", columns)
    else:
        given = _catalog(tmp_path / "elsewhere" / "catalog.json", columns)
    result = migrate(project, read="snowflake", catalog=given, plan=True)
    ddl = result.table("users").ddl or ""
    assert ddl.index("id DECIMAL(38, 0)") < ddl.index("name STRING") < ddl.index("signed_up")
    assert "is_active BOOLEAN" in ddl
    model = result.table("stg_users")
    assert model.status is Status.TRANSLATED, [d.message for d in model.diagnostics]


def test_declared_types_win_over_the_catalog(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"m.sql": "select id, kind from {{ source('app', 'events') }}"})
    (project / "target").mkdir()
    (project / "target" / "catalog.json").write_text(json.dumps({"sources": {"source.demo.app.events": {
        "columns": {"KIND": {"name": "KIND", "type": "NUMBER", "index": 1}}}}}))  # fmt: skip
    ddl = migrate(project, plan=False).table("events").ddl or ""
    assert "kind STRING" in ddl


def test_a_bad_catalog_is_a_config_error(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"m.sql": "select 1 as x"})
    bad = tmp_path / "catalog.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match=r"catalog\.json"):
        migrate(project, catalog=bad, plan=False)
    with pytest.raises(ConfigError, match="no such file"):
        migrate(project, catalog=tmp_path / "missing.json", plan=False)
