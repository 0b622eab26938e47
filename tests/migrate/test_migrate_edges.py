"""``shiftleft migrate`` on small hand-made projects: what goes wrong is reported, per model,
and the rest of the project still migrates; the CLI's exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shiftleft.cli import main
from shiftleft.errors import ConfigError
from shiftleft.migration import Status, migrate
from shiftleft.models import Severity


def make_project(root: Path, models: dict[str, str], extra: dict[str, str] | None = None) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        "name: demo\nprofile: demo\nmodels:\n  demo:\n    +materialized: table\n"
    )
    (root / "models" / "sources.yml").write_text(
        "version: 2\nsources:\n  - name: app\n    tables:\n"
        "      - name: events\n        loaded_at_field: event_ts\n"
        "        columns:\n"
        "          - {name: id, data_type: bigint}\n"
        "          - {name: user_id, data_type: bigint}\n"
        "          - {name: event_ts, data_type: timestamp}\n"
        "          - {name: kind, data_type: string}\n"
        "      - name: users\n"
    )
    for name, sql in models.items():
        path = root / "models" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    for name, text in (extra or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_unknown_macro_fails_one_model_and_names_it(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "stg_events.sql": "select id, user_id, event_ts, kind from {{ source('app', 'events') }}",
            "fct_kinds.sql": "select kind, count(*) as n\nfrom {{ ref('stg_events') }}\nwhere {{ my_filter('kind') }}\ngroup by kind",
            "dim_users.sql": "select id, name from {{ source('app', 'users') }}",
        },
    )
    result = migrate(project, tmp_path / "out")
    broken = result.table("fct_kinds")
    assert broken.status is Status.FAILED and broken.dml is None
    [error] = broken.errors
    assert "my_filter" in error.message and error.rule_id == "SL5001" and error.line == 3
    assert result.table("stg_events").status is Status.TRANSLATED
    assert result.table("dim_users").status is Status.TRANSLATED
    assert not result.ok
    assert "my_filter" in (tmp_path / "out" / "migration_report.md").read_text()


def test_sources_event_time_and_inferred_columns(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "stg_events.sql": "select id, user_id, event_ts, kind from {{ source('app', 'events') }}",
            "dim_users.sql": "select id, upper(name) as name from {{ source('app', 'users') }}",
        },
    )
    result = migrate(project)
    events = result.table("events")
    assert events.status is Status.DECLARED and events.event_time == "event_ts"
    assert "WATERMARK FOR event_ts" in events.ddl and "event_ts TIMESTAMP(3)" in events.ddl
    users = result.table("users")  # no columns declared: inferred from the models reading it
    assert "id STRING" in users.ddl and "name STRING" in users.ddl
    assert any(d.rule_id == "SL4105" for d in users.diagnostics)
    assert result.table("stg_events").event_time == "event_ts"  # a view passes it through


def test_alias_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {"evil.sql": "{{ config(alias='../../../etc/passwd') }}\nselect 1 as x"},
    )
    migrate(project, tmp_path / "out")
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert written and all((tmp_path / "out") in p.parents for p in written)
    assert not (tmp_path / "etc").exists()


def test_same_table_name_twice_is_written_twice_under_two_names(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "a/orders.sql": "select 1 as id",
            "b/orders_v2.sql": "{{ config(alias='orders') }}\nselect 2 as id",
        },
    )
    result = migrate(project, tmp_path / "out")
    models = sorted(
        (t.unique_id, t.status.value, t.name) for t in result.tables if t.resource_type == "model"
    )
    assert models == [
        ("model.demo.orders", "translated", "model__orders"),
        ("model.demo.orders_v2", "translated", "model__orders_2"),
    ]
    [warning] = [
        d for d in result.tables[0].diagnostics if d.rule_id == "SL5009"
    ] or [d for t in result.tables for d in t.diagnostics if d.rule_id == "SL5009"][:1]
    assert "model.demo.orders_v2" in warning.message


def test_cycle_is_reported(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "a.sql": "select * from {{ ref('b') }}",
            "b.sql": "select * from {{ ref('a') }}",
            "c.sql": "select 1 as x",
        },
    )
    result = migrate(project)
    assert any("cycle" in d.message for d in result.diagnostics)
    assert result.table("c").status is Status.TRANSLATED
    assert result.table("a").status is Status.FAILED


def test_unreadable_rendered_sql_reports_where(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"bad.sql": "select a from t where (b = 1"})
    result = migrate(project)
    table = result.table("bad")
    assert table.status is Status.FAILED
    assert table.errors[0].rule_id == "SL5002" and table.errors[0].line == 1


def test_incremental_append_and_updating_query_is_flagged(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "agg.sql": "{{ config(materialized='incremental') }}\nselect kind, count(*) as n from {{ source('app', 'events') }} group by kind"
        },
    )
    table = migrate(project).table("agg")
    assert any(
        d.severity is Severity.WARNING and "unique_key" in (d.suggestion or "")
        for d in table.diagnostics
    )
    assert table.changelog == "upsert" and table.primary_key == ["kind"]


def test_confluent_target(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "fct.sql": "{{ config(unique_key='kind') }}\nselect kind, count(*) as n from {{ source('app', 'events') }} group by kind"
        },
    )
    result = migrate(project, target="confluent")
    ddl = result.table("fct").ddl
    assert "DISTRIBUTED BY HASH(kind)" in ddl and "'changelog.mode' = 'upsert'" in ddl


def test_layout_overrides_from_shiftleft_yml(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {"report_x.sql": "select 1 as x"},
        {
            "shiftleft.yml": "layout:\n  layers: {report_*: facts}\n  products: {report_*: finance}\n"
        },
    )
    result = migrate(project, tmp_path / "out")
    table = result.table("report_x")
    assert (table.layer.value, table.product) == ("facts", "finance")
    assert (tmp_path / "out/facts/finance/report_x/sql-scripts/dml.report_x.sql").is_file()


def test_not_a_project_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no dbt_project\.yml"):
        migrate(tmp_path)
    (tmp_path / "dbt_project.yml").write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="line"):
        migrate(tmp_path)


def test_cli_migrate_exit_codes_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = make_project(
        tmp_path / "good", {"stg.sql": "select id from {{ source('app', 'events') }}"}
    )
    assert main(["migrate", str(good), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    # the unread source without columns is not declared: no DDL, no folder
    assert "demo: 3 tables (planned on Flink 2.3): 1 translated, 2 declared" in out and "wrote 6 files" in out
    assert main(["migrate", str(good), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {t["name"] for t in data["tables"]} == {"stg", "events", "users"}
    bad = make_project(tmp_path / "bad", {"m.sql": "select {{ nope() }}"})
    assert main(["migrate", str(bad)]) == 1
    assert "nope" in capsys.readouterr().out
    assert main(["migrate", str(tmp_path / "missing")]) == 2
    assert "no dbt_project.yml" in capsys.readouterr().err
    assert main(["migrate", str(good), "--vars", "[1, 2]"]) == 2


def test_cli_progress_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = make_project(
        tmp_path / "good", {"stg.sql": "select id from {{ source('app', 'events') }}"}
    )
    assert main(["migrate", str(good), "--progress"]) == 0
    assert capsys.readouterr().err == ""  # under a second: no bar (the bar: test_front_door)
    import io

    from shiftleft.cli.migrate import ProgressBar

    stream = io.StringIO()
    ProgressBar(stream, enabled=True, after_s=0)(3, 3, "stg")
    assert "[" in stream.getvalue() and "3/3" in stream.getvalue()


def test_model_disabled_by_its_own_config_is_not_migrated(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "old.sql": "{{ config(enabled=target.name == 'prod') }}\nselect 1 as x",
            "uses_old.sql": "select x from {{ ref('old') }}",
            "fine.sql": "select 2 as y",
        },
    )
    result = migrate(project)
    names = {t.name for t in result.tables}
    assert "old" not in names and "fine" in names
    [error] = result.table("uses_old").errors
    assert "disabled" in error.message


def test_date_spine_with_literal_bounds_is_written_out(tmp_path: Path) -> None:
    import duckdb

    project = make_project(
        tmp_path / "p",
        {
            "days.sql": "{{ dbt_utils.date_spine('day', \"cast('2024-01-30' as date)\", \"cast('2024-02-02' as date)\") }}",
            "months.sql": "{{ dbt_utils.date_spine('month', \"'2023-11-01'\", \"'2024-02-01'\") }}",
            "open.sql": "{{ dbt_utils.date_spine('day', \"cast('2024-01-01' as date)\", 'current_date') }}",
        },
    )
    result = migrate(project, read="duckdb")
    days = duckdb.sql(result.table("days").rendered_sql).fetchall()
    assert [str(d) for (d,) in days] == ["2024-01-30", "2024-01-31", "2024-02-01"]
    months = duckdb.sql(result.table("months").rendered_sql).fetchall()
    assert [str(d) for (d,) in months] == ["2023-11-01", "2023-12-01", "2024-01-01"]
    assert result.table("days").status is Status.TRANSLATED
    [error] = result.table("open").errors
    assert "literal bounds" in error.message and "date_spine" in error.message


@pytest.mark.slow
@pytest.mark.flink
def test_key_under_another_name_is_the_same_key(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "agg.sql": "select user_id as id, user_id, count(*) as n\n"
            "from {{ source('app', 'events') }} group by user_id",
            "agg.yml": "version: 2\nmodels:\n  - name: agg\n    columns:\n"
            "      - {name: id, data_tests: [unique, not_null]}\n",
        },
    )
    table = migrate(project, plan=True).table("agg")
    assert table.primary_key == ["id"]
    assert not any(
        d.rule_id == "SL5003" and d.severity is Severity.WARNING for d in table.diagnostics
    )
    assert table.errors == []  # the Flink planner accepts the DDL and the INSERT


@pytest.mark.parametrize("check_cols", ["all", "['kind']"])
def test_check_strategy_snapshot_gets_the_scd2_columns_and_plans(
    tmp_path: Path, check_cols: str
) -> None:
    """A snapshot with the check strategy (no updated_at) is a versioned table with dbt's
    dbt_valid_from / dbt_valid_to, the change's processing time as valid_from, and a warning
    that it is not an event time; the planner accepts it."""
    snapshot = (
        "{% snapshot events_snapshot %}\n"
        f"{{{{ config(target_schema='snapshots', unique_key='id', strategy='check', "
        f"check_cols={check_cols}) }}}}\n"
        "select id, user_id, kind from {{ source('app', 'events') }}\n{% endsnapshot %}\n"
    )
    project = make_project(tmp_path / "p", {}, {"snapshots/events_snapshot.sql": snapshot})
    table = migrate(project, plan=True).table("events_snapshot")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert "dbt_valid_from TIMESTAMP(3)" in (table.ddl or "")
    assert "dbt_valid_to TIMESTAMP(3)" in (table.ddl or "")
    assert any(d.rule_id == "SL5005" and "check strategy" in d.message for d in table.diagnostics)


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("var('flag') | as_bool", "True"),
        ("'false' | as_bool", "False"),
        ("'12' | as_number + 1", "13"),
        ("'[1, 2]' | as_native | length", "2"),
        ("3 | as_text", "3"),
    ],
)
def test_dbt_jinja_filters(tmp_path: Path, expression: str, expected: str) -> None:
    """dbt adds as_bool / as_number / as_native / as_text to Jinja; a project using them (a
    config(enabled=var('x') | as_bool), say) must render, not fail with 'No filter named'."""
    project = make_project(
        tmp_path / "p",
        {"m.sql": f"select '{{{{ {expression} }}}}' as v, id from {{{{ source('app', 'events') }}}}"},
        {"dbt_project.yml": "name: demo\nprofile: demo\nvars:\n  flag: 'true'\n"},
    )
    table = migrate(project, plan=False).table("m")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert f"'{expected}' as v" in (table.rendered_sql or "")


def test_without_pyflink_the_statuses_say_they_are_static(tmp_path: Path) -> None:
    """The default plans when it can; where PyFlink is missing, the run still completes and an
    SL5025 warning says that the statuses were not checked by the planner."""
    script = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] == 'pyflink':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import shiftleft\n"
        f"r = shiftleft.migrate({str(make_project(tmp_path / 'p', {'m.sql': 'select 1 as x'}))!r})\n"
        "print(r.planned, [d.rule_id for d in r.diagnostics], r.table('m').status.value)\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False ['SL5025'] translated", out.stderr


def test_graph_and_selected_resources_list_the_projects_nodes(tmp_path: Path) -> None:
    """Macros that walk dbt's ``graph`` (models by path or package) render from the project."""
    macro = (
        "{% macro staged() %}{% set found = [] %}"
        "{% for n in graph['nodes'].values() | sort(attribute='name') %}"
        "{% if n.resource_type == 'model' and n.original_file_path.startswith('models/stg')"
        " and n.unique_id in selected_resources %}{% do found.append(n.name) %}{% endif %}"
        "{% endfor %}{{ return(found) }}{% endmacro %}"
    )
    project = make_project(
        tmp_path / "p",
        {
            "stg_a.sql": "select id from {{ source('app', 'events') }}",
            "stg_b.sql": "select id from {{ source('app', 'events') }}",
            "all.sql": "{% for m in staged() %}select id from {{ ref(m) }}"
            "{% if not loop.last %} union all {% endif %}{% endfor %}",
        },
        {"macros/staged.sql": macro},
    )
    result = migrate(project, plan=False)
    table = result.table("all")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert sorted(table.parents) == ["stg_a", "stg_b"]


def test_graph_columns_carry_meta_and_config_as_in_dbts_manifest(tmp_path: Path) -> None:
    """A macro reading ``column.config.meta`` of ``graph`` nodes (dbt >= 1.10's manifest) and
    ``api.Column.translate_type`` renders; the meta comes from either place in the YAML."""
    macro = (
        "{% macro keys_of(name) %}{% set found = [] %}"
        "{% for n in graph.nodes.values() if n.name == name %}"
        "{% for c in n.columns.values() | sort(attribute='name') %}"
        "{% if c.config.meta.get('is_key') or c.meta.get('is_key') %}{% do found.append(c.name) %}{% endif %}"
        "{% endfor %}{% endfor %}{{ return(found) }}{% endmacro %}"
    )
    properties = (
        "version: 2\nmodels:\n  - name: stg\n    columns:\n"
        "      - {name: id, data_type: bigint, config: {meta: {is_key: true}}}\n"
        "      - {name: user_id, data_type: bigint, meta: {is_key: true}, description: the user}\n"
        "      - {name: kind, data_type: string}\n"
    )
    project = make_project(
        tmp_path / "p",
        {
            "stg.sql": "select id, user_id, kind from {{ source('app', 'events') }}",
            "keyed.sql": "select {{ keys_of('stg') | join(', ') }}, "
            "cast(kind as {{ api.Column.translate_type('string') }}) as kind from {{ ref('stg') }}",
        },
        {"macros/keys.sql": macro, "models/stg.yml": properties},
    )
    result = migrate(project, plan=False)
    table = result.table("keyed")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert table.rendered_sql is not None
    assert table.rendered_sql.startswith("select id, user_id, cast(kind as STRING) as kind"), table.rendered_sql


@pytest.mark.parametrize("layout", ["empty", "models elsewhere"])
def test_a_project_with_nothing_to_migrate_says_so(tmp_path: Path, layout: str) -> None:
    """A folder whose dbt_project.yml finds no model (the wrong folder of a monorepo, models
    outside its model-paths) migrates nothing: a warning says so, not a silent empty result."""
    (tmp_path / "dbt_project.yml").write_text("name: demo\nprofile: demo\n")
    if layout == "models elsewhere":
        (tmp_path / "sql").mkdir()
        (tmp_path / "sql" / "m.sql").write_text("select 1 as id\n")
    result = migrate(tmp_path, None, plan=False)
    assert not result.tables
    assert [(d.rule_id, d.severity) for d in result.diagnostics] == [("SL5009", Severity.WARNING)]
    assert "nothing to migrate" in result.diagnostics[0].message
    with_one = make_project(tmp_path / "p", {"m.sql": "select id from {{ source('app', 'events') }}\n"})
    assert not [d for d in migrate(with_one, None, plan=False).diagnostics if "nothing to migrate" in d.message]


def test_databricks_sql_read_as_spark_says_so(tmp_path: Path) -> None:
    """A dbt-spark model with Databricks' ``col:path`` JSON access (dbt packages write it for
    Databricks) fails Spark's reader; the error says which reader takes it, and that reader
    translates it."""
    models = {"m.sql": "select cast(p:['shop']['amount'] as double) as amount from {{ source('app', 'events') }}"}
    result = migrate(make_project(tmp_path / "p", models), read="spark", plan=False)
    errors = result.table("m").errors
    assert errors and "--read databricks" in (errors[0].suggestion or "")
    again = migrate(make_project(tmp_path / "q", models), read="databricks", plan=False)
    assert not any("cannot be read" in d.message for d in again.table("m").diagnostics)
