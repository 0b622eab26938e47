"""Reading dbt projects from disk (:mod:`shiftleft.migration.project`): small projects written
into ``tmp_path``, checked against dbt's documented conventions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from shiftleft.errors import ConfigError
from shiftleft.migration.project import DbtProject, is_enabled, load_project, merge_config
from shiftleft.migration.render import Renderer, RenderError

SPEC = """\
name: demo
config-version: 2
profile: demo
"""


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text, dedented) under ``root``; returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def project(
    tmp_path: Path, files: dict[str, str], cli_vars: dict[str, object] | None = None
) -> DbtProject:
    return load_project(write(tmp_path, {"dbt_project.yml": SPEC, **files}), cli_vars=cli_vars)


# -- dbt_project.yml configs ---------------------------------------------------------------


FOLDERS = {
    "dbt_project.yml": SPEC
    + """
models:
  +tags: everywhere
  demo:
    +materialized: table
    +tags: [project]
    staging:
      +materialized: view
      +tags: [staging]
      legacy:
        materialized: ephemeral
        tags: legacy
    marts:
      +schema: analytics
      +meta: {owner: data}
      fct_orders:
        +materialized: incremental
        +tags: [orders]
        +meta: {tier: gold}
""",
    "models/top.sql": "select 1 as id\n",
    "models/staging/stg_orders.sql": "select 1 as id\n",
    "models/staging/legacy/stg_old.sql": "select 1 as id\n",
    "models/marts/fct_orders.sql": "select 1 as id\n",
    "models/marts/dim_customers.sql": "select 1 as id\n",
}


@pytest.fixture
def folders(tmp_path: Path) -> DbtProject:
    return load_project(write(tmp_path, FOLDERS))


def test_materialized_comes_from_the_deepest_folder(folders: DbtProject) -> None:
    nodes = folders.nodes
    assert nodes["model.demo.top"].materialized == "table"
    assert nodes["model.demo.stg_orders"].materialized == "view"
    # keys without "+" are configs too when dbt knows them
    assert nodes["model.demo.stg_old"].materialized == "ephemeral"
    assert nodes["model.demo.dim_customers"].materialized == "table"


def test_a_model_level_key_in_dbt_project_yml_wins(folders: DbtProject) -> None:
    assert folders.nodes["model.demo.fct_orders"].materialized == "incremental"


def test_tags_accumulate_down_the_folders(folders: DbtProject) -> None:
    nodes = folders.nodes
    assert nodes["model.demo.top"].tags == ["everywhere", "project"]
    assert nodes["model.demo.stg_old"].tags == ["everywhere", "project", "staging", "legacy"]
    assert nodes["model.demo.fct_orders"].tags == ["everywhere", "project", "orders"]


def test_meta_merges_and_other_configs_inherit(folders: DbtProject) -> None:
    fct = folders.nodes["model.demo.fct_orders"]
    assert fct.config["meta"] == {"owner": "data", "tier": "gold"}
    assert fct.config["schema"] == "analytics"
    assert folders.nodes["model.demo.dim_customers"].config["schema"] == "analytics"
    assert "schema" not in folders.nodes["model.demo.top"].config


def test_nodes_know_their_folders_and_files(folders: DbtProject) -> None:
    old = folders.nodes["model.demo.stg_old"]
    assert old.folders == ["staging", "legacy"]
    assert old.file_path == "models/staging/legacy/stg_old.sql"
    assert old.raw_code == "select 1 as id\n"
    assert old.package == "demo"


def test_no_materialization_means_view(tmp_path: Path) -> None:
    demo = project(tmp_path, {"models/m.sql": "select 1\n"})
    assert demo.nodes["model.demo.m"].materialized == "view"


def test_merge_config_does_not_repeat_tags() -> None:
    config: dict[str, object] = {"tags": ["a"]}
    merge_config(config, {"+tags": ["a", "b"], "+materialized": "table"})
    merge_config(config, {"tags": "c"})
    assert config == {"tags": ["a", "b", "c"], "materialized": "table"}


def test_other_paths_from_dbt_project_yml(tmp_path: Path) -> None:
    demo = load_project(
        write(
            tmp_path,
            {
                "dbt_project.yml": SPEC
                + "model-paths: [transform]\nmacro-paths: [jinja]\nseed-paths: [data]\n",
                "transform/m.sql": "select 1\n",
                "models/ignored.sql": "select 2\n",
                "jinja/helpers.sql": "{% macro x() %}1{% endmacro %}\n",
                "data/codes.csv": "code\n1\n",
            },
        )
    )
    assert sorted(demo.nodes) == ["model.demo.m", "seed.demo.codes"]
    assert [m.path.name for m in demo.macros] == ["helpers.sql"]


@pytest.mark.parametrize("packages", ["dbt_modules", "dbt_packages"])
def test_pre_1_0_path_keys(tmp_path: Path, packages: str) -> None:
    """dbt < 1.0 named them source-paths, data-paths and modules-path (dbt 1.x still reads
    them) and installed packages into dbt_modules/ by default."""
    demo = load_project(
        write(
            tmp_path,
            {
                "dbt_project.yml": SPEC + "source-paths: [transform]\ndata-paths: [data]\n",
                "transform/m.sql": "select 1\n",
                "models/ignored.sql": "select 2\n",
                "data/codes.csv": "code\n1\n",
                f"{packages}/helpers/dbt_project.yml": "name: helpers\nconfig-version: 2\n",
                f"{packages}/helpers/macros/h.sql": "{% macro h() %}1{% endmacro %}\n",
            },
        )
    )
    assert sorted(demo.nodes) == ["model.demo.m", "seed.demo.codes"]
    assert "helpers" in demo.packages


def test_modules_path_names_the_packages_folder(tmp_path: Path) -> None:
    demo = load_project(
        write(
            tmp_path,
            {
                "dbt_project.yml": SPEC + "modules-path: vendored\n",
                "models/m.sql": "select 1\n",
                "vendored/helpers/dbt_project.yml": "name: helpers\nconfig-version: 2\n",
            },
        )
    )
    assert demo.packages == ["helpers"]


# -- vars ----------------------------------------------------------------------------------


VARS = {
    "dbt_project.yml": SPEC
    + """
vars:
  start_date: '2020-01-01'
  limit: 10
  demo:
    limit: 20
    only_here: true
  dbt_utils:
    surrogate_key_treat_nulls_as_empty_strings: true
""",
    "dbt_packages/dbt_utils/dbt_project.yml": "name: dbt_utils\nconfig-version: 2\n",
}


def test_project_vars_and_scoped_vars(tmp_path: Path) -> None:
    demo = project(tmp_path, VARS)
    assert demo.vars == {"start_date": "2020-01-01", "limit": 20, "only_here": True}
    # a package's models see the project's global vars and those scoped to the package
    assert demo.package_vars == {
        "dbt_utils": {
            "start_date": "2020-01-01",
            "limit": 10,
            "surrogate_key_treat_nulls_as_empty_strings": True,
        }
    }
    assert demo.packages == ["dbt_utils"]


def test_cli_vars_win(tmp_path: Path) -> None:
    demo = project(tmp_path, VARS, cli_vars={"limit": 5, "new": "x"})
    assert demo.vars["limit"] == 5
    assert demo.vars["new"] == "x"


def test_vars_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="vars"):
        load_project(write(tmp_path, {"dbt_project.yml": SPEC + "vars: [a, b]\n"}))


# -- properties files ----------------------------------------------------------------------


PROPERTIES = {
    "models/orders.sql": "select 1 as order_id\n",
    "models/customers.sql": "select 1 as customer_id\n",
    "models/schema.yml": """
        version: 2
        models:
          - name: orders
            config:
              materialized: table
              tags: [finance]
            constraints:
              - type: primary_key
                columns: [order_id]
              - type: foreign_key
                columns: [customer_id]
                expression: customers (customer_id)
            columns:
              - name: order_id
                data_type: integer
                constraints:
                  - type: not_null
                  - type: primary_key
                data_tests:
                  - unique
                  - not_null
              - name: customer_id
                data_type: bigint
                data_tests:
                  - relationships:
                      arguments:
                        to: ref('customers')
                        field: customer_id
                  - dbt_utils.not_constant
                  - name: customer_accepted
                    test_name: accepted_values
                    values: [1, 2]
              - name: note
          - name: customers
            columns:
              - name: customer_id
                tests: [unique, not_null]
          - name: not_a_model_here
            columns:
              - name: x
    """,
}


def test_columns_with_data_types(tmp_path: Path) -> None:
    orders = project(tmp_path, PROPERTIES).nodes["model.demo.orders"]
    assert list(orders.columns) == ["order_id", "customer_id", "note"]
    assert orders.columns["order_id"].data_type == "integer"
    assert orders.columns["customer_id"].data_type == "bigint"
    assert orders.columns["note"].data_type is None


def test_data_tests_in_string_and_dict_forms(tmp_path: Path) -> None:
    nodes = project(tmp_path, PROPERTIES).nodes
    orders = nodes["model.demo.orders"]
    assert orders.columns["order_id"].tests == ["unique", "not_null"]
    assert orders.columns["customer_id"].tests == [
        "relationships",
        "not_constant",
        "accepted_values",
    ]
    # the older "tests:" key
    assert nodes["model.demo.customers"].columns["customer_id"].tests == ["unique", "not_null"]


def test_column_and_model_constraints(tmp_path: Path) -> None:
    orders = project(tmp_path, PROPERTIES).nodes["model.demo.orders"]
    assert orders.columns["order_id"].constraints == ["not_null", "primary_key"]
    assert orders.columns["customer_id"].constraints == []
    assert orders.constraints == [("primary_key", ["order_id"]), ("foreign_key", ["customer_id"])]


def test_properties_config_merges_into_the_node(tmp_path: Path) -> None:
    files = {
        **PROPERTIES,
        "dbt_project.yml": SPEC + "models:\n  demo:\n    +materialized: view\n    +tags: [base]\n",
    }
    orders = load_project(write(tmp_path, files)).nodes["model.demo.orders"]
    assert orders.materialized == "table"
    assert orders.tags == ["base", "finance"]


def test_properties_of_unknown_models_are_ignored(tmp_path: Path) -> None:
    nodes = project(tmp_path, PROPERTIES).nodes
    assert not any("not_a_model_here" in uid for uid in nodes)


def test_a_column_without_a_name_is_reported_and_the_file_skipped(tmp_path: Path) -> None:
    files = {
        "models/m.sql": "select 1\n",
        "models/schema.yml": "models:\n  - name: m\n    columns:\n      - data_type: int\n",
    }
    loaded = project(tmp_path, files)
    assert "model.demo.m" in loaded.nodes
    [problem] = loaded.problems
    assert "models/schema.yml: m: each column needs a name" in problem


def test_a_model_entry_without_a_name_is_reported(tmp_path: Path) -> None:
    files = {"models/schema.yml": "models:\n  - columns: []\n"}
    [problem] = project(tmp_path, files).problems
    assert "each entry of models needs a name" in problem


# -- sources -------------------------------------------------------------------------------


SOURCES = {
    "models/sources.yml": """
        version: 2
        sources:
          - name: raw
            schema: landing
            loaded_at_field: _loaded_at
            tags: [raw]
            tables:
              - name: orders
                identifier: raw_orders_v2
                columns:
                  - name: order_id
                    data_type: int
                    data_tests: [unique]
              - name: customers
                loaded_at_field: updated_at
                tags: [pii]
              - name: legacy
                config:
                  enabled: false
          - name: events
            tables:
              - name: clicks
                config:
                  loaded_at_field: event_ts
    """,
}


def test_sources_tables_and_identifier(tmp_path: Path) -> None:
    nodes = project(tmp_path, SOURCES).nodes
    orders = nodes["source.demo.raw.orders"]
    assert orders.resource_type == "source"
    assert orders.source_name == "raw"
    assert orders.identifier == "raw_orders_v2"
    assert orders.table_name == "raw_orders_v2"
    assert orders.materialized == "source"
    assert orders.columns["order_id"].data_type == "int"
    assert orders.columns["order_id"].tests == ["unique"]
    assert nodes["source.demo.raw.customers"].table_name == "customers"


def test_loaded_at_field_at_source_and_table_level(tmp_path: Path) -> None:
    nodes = project(tmp_path, SOURCES).nodes
    assert nodes["source.demo.raw.orders"].loaded_at_field == "_loaded_at"  # from the source
    assert nodes["source.demo.raw.customers"].loaded_at_field == "updated_at"  # the table's
    assert nodes["source.demo.events.clicks"].loaded_at_field == "event_ts"  # under config


def test_source_tags_add_up(tmp_path: Path) -> None:
    nodes = project(tmp_path, SOURCES).nodes
    assert nodes["source.demo.raw.orders"].tags == ["raw"]
    assert nodes["source.demo.raw.customers"].tags == ["raw", "pii"]
    assert nodes["source.demo.events.clicks"].tags == []


def test_a_disabled_source_table_is_dropped(tmp_path: Path) -> None:
    demo = project(tmp_path, SOURCES)
    assert "source.demo.raw.legacy" not in demo.nodes
    assert "source.demo.raw.legacy" in demo.disabled


def test_a_source_table_without_a_name_is_reported(tmp_path: Path) -> None:
    files = {"models/sources.yml": "sources:\n  - name: raw\n    tables:\n      - identifier: x\n"}
    [problem] = project(tmp_path, files).problems
    assert "each table of source raw needs a name" in problem


# -- seeds and snapshots -------------------------------------------------------------------


def test_seeds_and_column_types(tmp_path: Path) -> None:
    demo = load_project(
        write(
            tmp_path,
            {
                "dbt_project.yml": SPEC
                + """
seeds:
  demo:
    +quote_columns: false
    countries:
      +column_types:
        code: varchar(2)
        population: bigint
""",
                "seeds/countries.csv": "code,name,population\nDE,Germany,83000000\n",
                "seeds/lookups/statuses.csv": "status\nopen\n",
                "seeds/seeds.yml": """
                    seeds:
                      - name: statuses
                        config:
                          column_types: {status: varchar}
                        columns:
                          - name: status
                            data_tests: [unique]
                """,
            },
        )
    )
    countries = demo.nodes["seed.demo.countries"]
    assert countries.resource_type == "seed"
    assert countries.materialized == "seed"
    assert countries.config["column_types"] == {"code": "varchar(2)", "population": "bigint"}
    assert countries.config["quote_columns"] is False
    assert countries.seed_path == tmp_path / "seeds" / "countries.csv"
    statuses = demo.nodes["seed.demo.statuses"]
    assert statuses.folders == ["lookups"]
    assert statuses.config["column_types"] == {"status": "varchar"}
    assert statuses.columns["status"].tests == ["unique"]


SNAPSHOT = """\
{% snapshot orders_snapshot %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}
select * from {{ source('raw', 'orders') }}
{% endsnapshot %}

{%- snapshot customers_snapshot -%}
select * from {{ source('raw', 'customers') }}
{%- endsnapshot -%}
"""


def test_snapshots_in_snapshot_paths(tmp_path: Path) -> None:
    demo = load_project(
        write(
            tmp_path,
            {
                "dbt_project.yml": SPEC
                + "snapshot-paths: [snaps]\nsnapshots:\n  demo:\n    +tags: [snapshot]\n"
                + "    +target_schema: snapshots\n",
                "snaps/history.sql": SNAPSHOT,
                "snaps/snapshots.yml": (
                    "snapshots:\n  - name: orders_snapshot\n    columns:\n      - name: id\n"
                    "        data_type: int\n"
                ),
            },
        )
    )
    orders = demo.nodes["snapshot.demo.orders_snapshot"]
    customers = demo.nodes["snapshot.demo.customers_snapshot"]
    assert orders.materialized == "snapshot"
    assert orders.file_path == "snaps/history.sql"
    assert orders.raw_code == SNAPSHOT
    assert orders.tags == ["snapshot"]
    assert orders.config["target_schema"] == "snapshots"
    assert orders.columns["id"].data_type == "int"
    assert customers.resource_type == "snapshot"
    assert not any(n.resource_type == "model" for n in demo.nodes.values())


def test_a_snapshot_block_in_the_model_paths_is_a_snapshot(tmp_path: Path) -> None:
    demo = project(tmp_path, {"models/snap.sql": SNAPSHOT})
    assert sorted(demo.nodes) == [
        "snapshot.demo.customers_snapshot",
        "snapshot.demo.orders_snapshot",
    ]


# -- macros and packages -------------------------------------------------------------------


def test_macros_of_the_project_and_of_packages(tmp_path: Path) -> None:
    demo = project(
        tmp_path,
        {
            "macros/a.sql": "{% macro a() %}1{% endmacro %}\n",
            "macros/sub/b.jinja": "{% macro b() %}2{% endmacro %}\n",
            "macros/readme.md": "not a macro file",
            "dbt_packages/utils_pkg/dbt_project.yml": "name: my_utils\nmacro-paths: [src]\n",
            "dbt_packages/utils_pkg/src/u.sql": "{% macro u() %}3{% endmacro %}\n",
            "dbt_packages/not_a_package/x.sql": "{% macro x() %}4{% endmacro %}\n",
        },
    )
    assert demo.packages == ["my_utils"]
    assert sorted((m.package, m.path.name) for m in demo.macros) == [
        ("demo", "a.sql"),
        ("demo", "b.jinja"),
        ("my_utils", "u.sql"),
    ]


def test_dispatch_settings_are_kept(tmp_path: Path) -> None:
    spec = SPEC + "dispatch:\n  - macro_namespace: dbt_utils\n    search_order: [demo, dbt_utils]\n"
    demo = load_project(write(tmp_path, {"dbt_project.yml": spec}))
    assert demo.dispatch == [
        {"macro_namespace": "dbt_utils", "search_order": ["demo", "dbt_utils"]}
    ]


# -- disabled nodes ------------------------------------------------------------------------


DISABLED = {
    "dbt_project.yml": SPEC
    + """
models:
  demo:
    old:
      +enabled: false
    keep:
      +enabled: true
    by_name:
      enabled: false
seeds:
  demo:
    unused:
      +enabled: false
""",
    "models/old/legacy.sql": "select 1\n",
    "models/keep/live.sql": "select 1\n",
    "models/keep/switched_off.sql": "select 1\n",
    "models/by_name.sql": "select 1\n",
    "models/reader.sql": "select * from {{ ref('legacy') }}\n",
    "models/schema.yml": """
        models:
          - name: switched_off
            config:
              enabled: false
          - name: live
            config:
              enabled: "{{ 'true' }}"
    """,
    "seeds/unused.csv": "a\n1\n",
    "seeds/used.csv": "a\n1\n",
}


def test_disabled_nodes_are_not_loaded(tmp_path: Path) -> None:
    demo = load_project(write(tmp_path, DISABLED))
    assert sorted(demo.nodes) == ["model.demo.live", "model.demo.reader", "seed.demo.used"]
    assert sorted(demo.disabled) == [
        "model.demo.by_name",
        "model.demo.legacy",
        "model.demo.switched_off",
        "seed.demo.unused",
    ]


def test_a_ref_to_a_disabled_model_says_so(tmp_path: Path) -> None:
    demo = load_project(write(tmp_path, DISABLED))
    renderer = Renderer(demo, read="duckdb", env={})
    with pytest.raises(RenderError, match="legacy is disabled") as info:
        renderer.render(demo.nodes["model.demo.reader"])
    assert info.value.name == "legacy"


def test_a_model_disabled_in_its_own_file(tmp_path: Path) -> None:
    demo = project(
        tmp_path,
        {
            "dbt_project.yml": SPEC + "models:\n  demo:\n    back:\n      +enabled: false\n",
            "models/off.sql": "{{\n  config(\n    materialized='table',\n    enabled=False\n  )\n}}\n"
            "select 1\n",
            "models/off_too.sql": "{{ config(tags=['a'], meta={'k': dict(a=1)}, enabled=false) }}",
            "models/back/on_again.sql": "{{ config(enabled=true) }}\nselect 1\n",
            "models/back/still_off.sql": "select 1\n",
            "models/on.sql": "-- enabled=false in a comment is not a config\nselect 1\n",
        },
    )
    assert sorted(demo.nodes) == ["model.demo.on", "model.demo.on_again"]
    assert sorted(demo.disabled) == [
        "model.demo.off",
        "model.demo.off_too",
        "model.demo.still_off",
    ]


def test_a_model_disabled_by_an_expression_is_known_after_rendering(tmp_path: Path) -> None:
    """``{{ config(enabled=target.name == 'prod') }}``: load_project cannot know (nothing is
    rendered there), the rendered config can."""
    model = "{{ config(enabled=target.name == 'prod') }}\nselect 1\n"
    demo = project(tmp_path, {"models/m.sql": model})
    assert "model.demo.m" in demo.nodes
    renderer = Renderer(demo, read="duckdb", env={})
    assert renderer.render(demo.nodes["model.demo.m"], capture=True).enabled is False
    renderer = Renderer(demo, read="duckdb", env={}, target_name="prod")
    assert renderer.render(demo.nodes["model.demo.m"], capture=True).enabled is True


@pytest.mark.parametrize(
    ("config", "enabled"),
    [
        ({}, True),
        ({"enabled": True}, True),
        ({"enabled": False}, False),
        ({"enabled": "false"}, False),
        ({"enabled": "False "}, False),
        ({"enabled": "true"}, True),
        ({"enabled": None}, True),
    ],
)
def test_is_enabled(config: dict[str, object], enabled: bool) -> None:
    assert is_enabled(config) is enabled


# -- errors --------------------------------------------------------------------------------


def test_missing_dbt_project_yml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no dbt_project\.yml"):
        load_project(tmp_path)


def test_a_project_needs_a_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs a name"):
        load_project(write(tmp_path, {"dbt_project.yml": "config-version: 2\n"}))


def test_dbt_project_yml_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_project(write(tmp_path, {"dbt_project.yml": "- a\n- b\n"}))


def test_yaml_syntax_error_in_dbt_project_yml_gives_the_line(tmp_path: Path) -> None:
    bad = "name: demo\nmodels:\n  demo:\n    +materialized: [table\n"
    with pytest.raises(ConfigError, match=r"dbt_project.yml: line \d+, column \d+: not valid YAML"):
        load_project(write(tmp_path, {"dbt_project.yml": bad}))


def test_yaml_syntax_error_in_a_properties_file_gives_the_line(tmp_path: Path) -> None:
    bad = "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: a\n     - name: b\n"
    loaded = project(tmp_path, {"models/m.sql": "select 1\n", "models/schema.yml": bad})
    assert list(loaded.nodes) == ["model.demo.m"]  # the model is still read
    [message] = loaded.problems
    assert "schema.yml" in message
    assert "line 6" in message
    assert "not valid YAML" in message


def test_an_empty_properties_file_is_fine(tmp_path: Path) -> None:
    demo = project(tmp_path, {"models/m.sql": "select 1\n", "models/empty.yml": ""})
    assert list(demo.nodes) == ["model.demo.m"]


# -- a resource described twice ------------------------------------------------------------

_DESCRIBED = {
    "models/m.sql": "select 1 as id\n",
    "models/a.yml": "models:\n  - name: m\n    config:\n      materialized: table\n",
    "models/src.yml": "sources:\n  - name: raw\n    tables:\n      - name: t\n",
}
_TWICE = {
    "model, two files": {"models/z.yml": "models:\n  - name: m\n    config:\n      materialized: view\n"},
    "model, one file": {
        "models/a.yml": "models:\n  - name: m\n    config:\n      materialized: table\n  - name: m\n"
    },
    "source table, two files": {"models/z.yml": "sources:\n  - name: raw\n    tables:\n      - name: t\n"},
}


@pytest.mark.parametrize("case", sorted(_TWICE))
def test_a_resource_described_twice_is_reported_and_the_first_kept(tmp_path: Path, case: str) -> None:
    """dbt refuses a project whose properties describe one resource twice (the test below);
    shiftleft reads it, keeps the first description and says which entry it left out."""
    loaded = project(tmp_path, {**_DESCRIBED, **_TWICE[case]})
    [problem] = loaded.problems
    assert "described a second time" in problem and "first in models/" in problem
    assert loaded.nodes["model.demo.m"].materialized == "table"
    assert sum(n.resource_type == "source" for n in loaded.nodes.values()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(_TWICE))
def test_dbt_refuses_a_resource_described_twice(tmp_path: Path, case: str) -> None:
    from real_dbt import run_dbt

    root = write(tmp_path / "p", {"dbt_project.yml": SPEC, **_DESCRIBED, **_TWICE[case]})
    with pytest.raises(AssertionError, match=r"(?i)two (schema\.yml entries|sources)|duplicate"):
        run_dbt(root, "parse")
