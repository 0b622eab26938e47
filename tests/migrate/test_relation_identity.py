"""Relation identity as dbt computes it: generate_schema_name / generate_alias_name /
generate_database_name overrides in the project's macros, alias and schema configs (in the
model, in dbt_project.yml, by folder), dbt's default ``<target_schema>_<custom>`` rule; and
every table distinct, planned by the real Flink planner."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate
from shiftleft.migration.identity import resolve
from shiftleft.migration.project import load_project
from shiftleft.migration.render import Renderer

AS_IS = """{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}"""
PREFIXED_ALIAS = """{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if custom_alias_name -%}{{ custom_alias_name | trim }}
    {%- else -%}{{ node.fqn[1:-1] | join('_') ~ ('_' if node.fqn | length > 2 else '') ~ node.name }}{%- endif -%}
{%- endmacro %}"""
DATABASE = """{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {{ 'analytics' if node.resource_type == 'model' else target.database }}
{%- endmacro %}"""


def _relations(project: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    dbt = load_project(project)
    renderer = Renderer(dbt, read="spark")
    for node in dbt.nodes.values():  # the first pass gives each model its in-file config
        if node.resource_type == "model":
            node.config = renderer.render(node, capture=True).config
    assert resolve(renderer, dbt) == {}
    return {
        uid: (n.database, n.schema, n.identifier)
        for uid, n in dbt.nodes.items()
        if n.resource_type != "source"
    }


@pytest.mark.parametrize(
    ("macros", "expected"),
    [
        ({}, ("demo", "main_finance", "orders")),
        ({"macros/schema.sql": AS_IS}, ("demo", "finance", "orders")),
        ({"macros/alias.sql": PREFIXED_ALIAS}, ("demo", "main_finance", "marts_orders")),
        ({"macros/db.sql": DATABASE}, ("analytics", "main_finance", "orders")),
    ],
)
def test_project_macros_override_dbt_defaults(
    tmp_path: Path, macros: dict[str, str], expected: tuple[str, str, str]
) -> None:
    project = make_project(
        tmp_path / "p",
        {"marts/orders.sql": "{{ config(schema='finance') }}\nselect 1 as id"},
        macros,
    )
    assert _relations(project)["model.demo.orders"] == expected


def test_schema_and_alias_configs_from_every_level(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "staging/a.sql": "select 1 as id",
            "staging/b.sql": "{{ config(schema='override', alias='bee') }}\nselect 2 as id",
            "marts/c.sql": "select 3 as id",
        },
        {
            "dbt_project.yml": "name: demo\nprofile: demo\nmodels:\n  demo:\n    +schema: base\n"
            "    staging:\n      +schema: stg\n",
            "models/props.yml": "version: 2\nmodels:\n  - name: c\n    config: {alias: cee}\n",
        },
    )
    found = _relations(project)
    assert found["model.demo.a"] == ("demo", "main_stg", "a")
    assert found["model.demo.b"] == ("demo", "main_override", "bee")
    assert found["model.demo.c"] == ("demo", "main_base", "cee")


def test_versioned_model_and_legacy_snapshot_target_schema(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {"m.sql": "{{ config(version=2) }}\nselect 1 as id"},
        {
            "snapshots/snap.sql": "{% snapshot snap %}{{ config(target_schema='snapshots', "
            "unique_key='id', strategy='timestamp', updated_at='ts') }}select 1 as id, "
            "current_timestamp as ts{% endsnapshot %}"
        },
    )
    dbt = load_project(project)
    renderer = Renderer(dbt, read="spark")
    for node in dbt.nodes.values():
        if node.resource_type in ("model", "snapshot"):
            node.config = renderer.render(node, capture=True).config
    resolve(renderer, dbt)
    assert dbt.nodes["model.demo.m"].identifier == "m_v2"
    snap = dbt.nodes["snapshot.demo.snap"]
    assert (snap.schema, snap.identifier) == ("snapshots", "snap")


def test_broken_override_falls_back_with_a_warning(tmp_path: Path) -> None:
    broken = "{% macro generate_schema_name(custom_schema_name, node) %}{{ node.nope.x }}{% endmacro %}"
    project = make_project(
        tmp_path / "p", {"m.sql": "select 1 as id"}, {"macros/s.sql": broken}
    )
    result = migrate(project)
    table = result.table("m")
    assert table.status is Status.TRANSLATED
    assert any(d.rule_id == "SL5024" and "generate_schema_name" in d.message for d in table.diagnostics)


@pytest.mark.parametrize("override", [False, True])
def test_same_file_name_in_two_folders_are_two_tables(tmp_path: Path, override: bool) -> None:
    """dbt refuses two models of one name; both are migrated as distinct tables (their
    custom schemas tell them apart), each warned, and a ref to the name is reported."""
    project = make_project(
        tmp_path / "p",
        {
            "shop/orders.sql": "{{ config(schema='shop') }}\nselect 1 as id",
            "crm/orders.sql": "{{ config(schema='crm') }}\nselect 2 as id",
            "reader.sql": "select id from {{ ref('orders') }}",
            "other.sql": "select id, kind from {{ source('app', 'events') }}",
        },
        {"macros/schema.sql": AS_IS} if override else {},
    )
    result = migrate(project, plan=True)
    twins = [t for t in result.tables if t.unique_id.endswith(".orders")]
    assert len(twins) == 2 and len({t.name for t in twins}) == 2
    assert {t.status for t in twins} == {Status.TRANSLATED}, [t.diagnostics for t in twins]
    assert all(any(d.rule_id == "SL5009" for d in t.diagnostics) for t in twins)
    assert sorted(t.name for t in twins) == ["crm__orders", "shop__orders"]
    reader = result.table("reader")
    assert reader.status is Status.FAILED and "ambiguous" in reader.errors[0].message
    assert result.table("other").status is Status.TRANSLATED


@pytest.mark.parametrize("model_schema", [None, "raw", "app"])
def test_model_and_source_with_one_table_name(tmp_path: Path, model_schema: str | None) -> None:
    """A model named like the source it reads: two tables; the model never reads itself,
    planned on Flink."""
    config = f"{{{{ config(schema='{model_schema}') }}}}\n" if model_schema else ""
    project = make_project(
        tmp_path / "p",
        {"events.sql": config + "select id, kind from {{ source('app', 'events') }}"},
        {"macros/schema.sql": AS_IS},
    )
    result = migrate(project, plan=True)
    model = next(t for t in result.tables if t.unique_id == "model.demo.events")
    source = next(t for t in result.tables if t.unique_id == "source.demo.app.events")
    assert model.name != source.name
    assert model.status is Status.TRANSLATED, [d.message for d in model.diagnostics]
    tree = sqlglot.parse_one(model.dml, read="flink")
    assert {t.name for t in tree.expression.find_all(exp.Table)} == {source.name}


def test_this_carries_the_relation_schema(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {"m.sql": "{{ config(schema='finance') }}\nselect '{{ this.schema }}' as s, "
         "'{{ this.identifier }}' as i"},
        {"macros/schema.sql": AS_IS},
    )
    result = migrate(project)
    dml = result.table("m").dml or ""
    assert "'finance' AS" in dml and "'m' AS" in dml


@pytest.mark.parametrize("where", ["in-file", "in-file, computed", "dbt_project.yml"])
def test_a_disabled_twin_leaves_its_name_unambiguous(tmp_path: Path, where: str) -> None:
    """Two files define one model name, one of them disabled (``config(enabled=...)`` in the
    file, as a package's variant per adapter: ``enabled=is_adapter('bigquery')``, known only
    once rendered; or in dbt_project.yml): dbt takes the enabled one and a ref to the name reads
    it (a twin disabled once rendered crashed migrate with a KeyError, or left the ref reported
    as a ref to a disabled model; a literal one left it reported ambiguous)."""
    disabled = {
        "in-file": "{{ config(enabled=false) }}\n",
        "in-file, computed": "{{ config(enabled=target.name == 'bigquery') }}\n",
        "dbt_project.yml": "",
    }[where]
    enabled = "{{ config(enabled=target.name != 'bigquery') }}\n" if "computed" in where else ""
    project = make_project(
        tmp_path / "p",
        {
            "default/id_map.sql": enabled + "select 1 as id",
            "bigquery/id_map.sql": disabled + "select 2 as id",  # read first: sorts first
            "reader.sql": "select id from {{ ref('id_map') }}",
        },
    )
    if where == "dbt_project.yml":
        spec = project / "dbt_project.yml"
        spec.write_text(spec.read_text() + "    bigquery:\n      +enabled: false\n")
    result = migrate(project, plan=False)
    twins = [t for t in result.tables if t.name.endswith("id_map")]
    assert len(twins) == 1 and "2 as id" not in twins[0].dml.lower()
    reader = result.table("reader")
    assert reader.status is Status.TRANSLATED, [d.message for d in reader.diagnostics]
    assert reader.parents == [twins[0].name]  # the DAG edge too: it orders and blocks
    assert not any("define" in d.message for t in result.tables for d in t.diagnostics)
