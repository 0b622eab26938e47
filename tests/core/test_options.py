"""TranspileOptions: one typed options object behind transpile(), the CLI, verify and migrate."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.errors import ConfigError
from shiftleft.options import MigrateOptions, TranspileOptions, VerifyOptions
from shiftleft.streaming.options import StreamingOptions

SQL = "SELECT id, nvl(region, 'n/a') AS region, size(tags) AS n, a / b AS q FROM orders WHERE status != 'x'"
SCHEMA = {"orders": {"id": "INT", "region": "STRING", "tags": "ARRAY<STRING>", "a": "INT", "b": "INT"}}

option_sets = st.fixed_dictionaries(
    {},
    optional={
        "read": st.sampled_from(["spark", "databricks", "hive"]),
        "target": st.sampled_from(["flink", "confluent", "FLINK"]),
        "mode": st.sampled_from(["streaming", "batch"]),
        "schema": st.sampled_from([None, SCHEMA]),
        "disable": st.lists(st.sampled_from(["SL1001", "SL1010"]), max_size=2),
        "pretty": st.booleans(),
        "sink": st.sampled_from([None, "out_table"]),
        "sources": st.booleans(),
        "streaming": st.sampled_from([None, StreamingOptions(state_ttl="1d")]),
    },
)


@settings(max_examples=25, deadline=None)
@given(kwargs=option_sets)
def test_keywords_and_options_object_translate_identically(kwargs: dict) -> None:
    by_keywords = shiftleft.transpile(SQL, **kwargs)
    by_object = shiftleft.transpile(SQL, TranspileOptions(**kwargs))
    assert by_object.model_dump() == by_keywords.model_dump()
    assert shiftleft.transpile(sql=SQL, options=shiftleft.TranspileOptions(**kwargs)).sql == by_keywords.sql


@settings(max_examples=15, deadline=None)
@given(base=option_sets, override=option_sets)
def test_keywords_override_the_options_object(base: dict, override: dict) -> None:
    merged = shiftleft.transpile(SQL, TranspileOptions(**base), **override)
    assert merged.model_dump() == shiftleft.transpile(SQL, **{**base, **override}).model_dump()


@settings(max_examples=15, deadline=None)
@given(kwargs=option_sets)
def test_options_survive_pickling_to_a_worker(kwargs: dict) -> None:
    options = TranspileOptions(**kwargs)
    again = pickle.loads(pickle.dumps(options))
    assert again == options
    assert shiftleft.transpile(SQL, again).sql == shiftleft.transpile(SQL, options).sql


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "kafka"}, "unknown target 'kafka'; expected one of 'flink', 'confluent'"),
        ({"mode": "micro"}, "unknown mode 'micro'"),
        ({"read": "nosuch"}, "unknown read dialect 'nosuch'"),
        ({"schema": {"t": "INT"}}, 'schema must look like {"table": {"column": "TYPE", ...}, ...}'),
        ({"event_time": {"t": 1}}, 'event_time must look like {"table": "event_time_column", ...}'),
        ({"sink": " "}, "sink must be a table name or SinkOptions"),
        ({"llm": "yes"}, "llm must be True, False, None or an LLMConfig, not str"),
        ({"streaming": {"state_ttl": "1d"}}, "streaming must be StreamingOptions, not dict"),
        ({"functions": 3}, "functions must be a mapping or a file path, not int"),
        ({"functions": {"f": "NOT SQL ((("}}, "functions: f:"),
        ({"disable": ["SL0999x"]}, "cannot disable unknown rule 'SL0999x'"),
        ({"pretty": [1]}, "pretty:"),
        ({"colour": "red"}, "unknown option 'colour'"),
    ],
)
def test_bad_options_are_config_errors_before_any_sql_is_read(kwargs: dict, message: str) -> None:
    for build in (lambda: TranspileOptions(**kwargs), lambda: shiftleft.transpile("SELECT (((", **kwargs)):
        with pytest.raises(ConfigError) as info:
            build()
        assert message in str(info.value)


def test_options_object_must_be_one() -> None:
    with pytest.raises(ConfigError, match="options must be TranspileOptions"):
        shiftleft.transpile("SELECT 1", {"mode": "batch"})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown option 'jobs'"):  # a migration's own option
        shiftleft.transpile("SELECT 1", MigrateOptions(read="spark", jobs=2))


def test_migrate_options_refuse_what_each_model_derives() -> None:
    MigrateOptions(event_time={"orders": "ts"})  # an override of the project's event times (issue 14)
    for name, value in (("schema", SCHEMA), ("sources", True)):
        with pytest.raises(ConfigError, match="not an option of migrate"):
            MigrateOptions(**{name: value})
        MigrateOptions(**{name: False if name == "sources" else None})  # the default, as a CLI may pass it
    options = MigrateOptions(mode="batch", disable=["SL1001"], jobs=2)
    assert options.read is None  # the project decides
    translation = options.translation("duckdb")
    assert (translation.read, translation.mode.value, translation.disable) == ("duckdb", "batch", ("SL1001",))
    assert "jobs" not in translation.explicit()


def test_verify_options_translate_like_transpile() -> None:
    options = VerifyOptions(mode="batch", schema=SCHEMA, seeds={"orders": []}, generate_rows=3)
    assert shiftleft.transpile(SQL, options.translation()).sql == shiftleft.transpile(SQL, mode="batch", schema=SCHEMA).sql
    with pytest.raises(ConfigError):
        VerifyOptions(generate_rows=-1)


def _dbt_project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: demo\nprofile: demo\nmodels:\n  demo:\n    +materialized: table\n")
    (root / "models" / "sources.yml").write_text(
        "version: 2\nsources:\n  - name: app\n    tables:\n      - name: events\n"
        "        columns:\n          - {name: id, data_type: bigint}\n          - {name: kind, data_type: string}\n"
    )
    (root / "models" / "clean.sql").write_text("select id, tidy(kind) as kind from {{ source('app', 'events') }}")
    (root / "udfs.yaml").write_text('tidy: "LOWER(TRIM($1))"\n')
    return root


def test_one_path_for_functions_from_the_cli_to_every_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--functions reaches each model's translation through MigrateOptions, as through the API."""
    from shiftleft.cli.app import main

    project = _dbt_project(tmp_path / "p")
    api = shiftleft.migrate(project, functions=project / "udfs.yaml").table("clean")
    assert "LOWER(TRIM(kind))" in (api.dml or "") and api.status.value == "translated"
    assert main(["migrate", str(project), "--functions", str(project / "udfs.yaml"), "--format", "json"]) == 0
    assert "LOWER(TRIM(kind))" in capsys.readouterr().out
    without = shiftleft.migrate(project).table("clean")
    assert any(d.rule_id == "SL9001" for d in without.diagnostics)  # unknown function: reported


def test_a_functions_file_edited_between_calls_is_read_again(tmp_path: Path) -> None:
    """Keyword options are built once per set of keywords, but a file they name is the
    user's to edit: the next call sees the new mapping."""
    mapping = tmp_path / "functions.yaml"
    mapping.write_text("my_udf: UPPER($1)\n")
    first = shiftleft.transpile("SELECT my_udf(s) FROM t", functions=str(mapping))
    mapping.write_text("my_udf: LOWER($1)\n")
    second = shiftleft.transpile("SELECT my_udf(s) FROM t", functions=str(mapping))
    assert "UPPER(s)" in first.sql and "LOWER(s)" in second.sql, (first.sql, second.sql)


def test_a_bad_keyword_fails_on_every_call() -> None:
    for _ in range(2):  # the second call must not find a half-built object of the first
        with pytest.raises(ConfigError, match="mode"):
            shiftleft.transpile("SELECT 1", mode="sideways")
