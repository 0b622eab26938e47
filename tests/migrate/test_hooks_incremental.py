"""What dbt runs around a model's SQL is reported, never dropped: hooks (model config,
properties, dbt_project.yml, on-run-start / on-run-end), is_incremental() blocks, and the
incremental strategies mapped to sink modes; the translated tables still plan on Flink."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate
from shiftleft.models import Severity

_PROJECT_YML = """name: demo
profile: demo
on-run-start: "create schema if not exists audit"
on-run-end:
  - "grant usage on schema {{ target.schema }} to role reporter"
models:
  demo:
    +materialized: table
    +post-hook: "analyze table {{ this }} compute statistics"
"""


def _codes(table, code: str) -> list[str]:
    return [d.message for d in table.diagnostics if d.rule_id == code]


def test_hooks_are_reported_with_their_sql(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "a.sql": "{{ config(pre_hook=\"delete from audit where m = 'a'\", "
            "post_hook=['grant select on {{ this }} to bi']) }}\n"
            "select id, kind from {{ source('app', 'events') }}",
            "b.sql": "select id from {{ source('app', 'events') }}",
        },
        {
            "dbt_project.yml": _PROJECT_YML,
            "models/b.yml": "version: 2\nmodels:\n  - name: b\n    config:\n"
            "      pre-hook: [{sql: 'vacuum b', transaction: false}]\n",
        },
    )
    result = migrate(project, plan=True)
    a, b = result.table("a"), result.table("b")
    assert a.status is Status.TRANSLATED and b.status is Status.TRANSLATED
    hooks_a = _codes(a, "SL5022")
    assert any("pre-hook" in m and "delete from audit" in m for m in hooks_a)
    assert any("grant select on {{ this }} to bi" in m for m in hooks_a)
    assert any("analyze table" in m for m in hooks_a)  # the project-level hook adds up
    assert any("vacuum b" in m for m in _codes(b, "SL5022"))
    project_hooks = [d.message for d in result.diagnostics if d.rule_id == "SL5022"]
    assert len(project_hooks) == 2
    assert any("on-run-start" in m and "create schema" in m for m in project_hooks)
    assert any("on-run-end" in m and "grant usage" in m for m in project_hooks)


_INCREMENTAL = """{{{{ config(materialized='incremental'{config}) }}}}
select id, user_id, event_ts, kind from {{{{ source('app', 'events') }}}}
{{% if is_incremental() %}}
where event_ts > (select max(event_ts) from {{{{ this }}}})
{{% endif %}}
"""


@pytest.mark.parametrize(
    ("config", "severity", "words", "changelog"),
    [
        ("", Severity.WARNING, "dropped", "append"),
        (", incremental_strategy='append'", Severity.WARNING, "dropped", "append"),
        (", incremental_strategy='merge', unique_key='id'", Severity.INFO, "merge on (id)", "upsert"),
        (", incremental_strategy='merge'", Severity.INFO, "appended table", "append"),
        (
            ", incremental_strategy='merge', unique_key=['id', 'user_id'], "
            "merge_update_columns=['kind']",
            Severity.WARNING,
            "merge_update_columns",
            "upsert",
        ),
        (", incremental_strategy='delete+insert', unique_key='id'", Severity.WARNING, "latest", "upsert"),
        (", incremental_strategy='append', unique_key='id'", Severity.WARNING, "ignores unique_key", "upsert"),
        (
            ", incremental_strategy='insert_overwrite', partition_by=['kind']",
            Severity.INFO,
            "no partition is rewritten",
            "append",
        ),
        (", incremental_strategy='microbatch', event_time='event_ts'", Severity.INFO, "microbatch", "append"),
        (", incremental_strategy='my_custom'", Severity.WARNING, "not one of dbt's", "append"),
        (
            ", incremental_strategy='merge', unique_key='id', "
            "incremental_predicates=[\"DBT_INTERNAL_DEST.event_ts > '2020-01-01'\"]",
            Severity.WARNING,
            "incremental_predicates dropped",
            "upsert",
        ),
    ],
)
def test_incremental_strategies_map_to_sink_modes(
    tmp_path: Path, config: str, severity: Severity, words: str, changelog: str
) -> None:
    project = make_project(tmp_path / "p", {"inc.sql": _INCREMENTAL.format(config=config)})
    result = migrate(project, plan=True)
    table = result.table("inc")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert table.changelog == changelog
    notes = [d for d in table.diagnostics if d.rule_id == "SL5023"]
    dropped = [d for d in notes if "is_incremental()" in d.message]
    assert len(dropped) == 1 and dropped[0].severity is Severity.WARNING
    assert "where event_ts > (select max(event_ts) from" in dropped[0].message
    assert any(words in d.message and d.severity is severity for d in notes), [
        d.message for d in notes
    ]
    assert "max(" not in (table.dml or "").lower()  # the streaming form is the full query


def test_delete_insert_without_key_is_an_error_and_others_migrate(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "inc.sql": _INCREMENTAL.format(config=", incremental_strategy='delete+insert'"),
            "fine.sql": "select id from {{ source('app', 'events') }}",
        },
    )
    result = migrate(project)
    inc = result.table("inc")
    assert inc.status is Status.FAILED and inc.dml is None
    assert any(d.rule_id == "SL5023" and "unique_key" in d.message for d in inc.errors)
    assert result.table("fine").status is Status.TRANSLATED


def test_incremental_block_that_changes_more_than_a_filter(tmp_path: Path) -> None:
    """A block that adds a column in incremental runs: named in the warning (the stream
    keeps the full-refresh column list)."""
    model = (
        "{{ config(materialized='incremental', unique_key='id') }}\n"
        "select id, kind\n{% if is_incremental() %}, 'late' as batch_kind\n{% endif %}"
        "from {{ source('app', 'events') }}"
    )
    result = migrate(make_project(tmp_path / "p", {"inc.sql": model}), plan=True)
    table = result.table("inc")
    assert table.status is Status.TRANSLATED
    [note] = [d for d in table.diagnostics if d.rule_id == "SL5023" and "dropped" in d.message]
    assert "'late' as batch_kind" in note.message
