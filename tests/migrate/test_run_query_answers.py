"""run_query / statement blocks without a database: answered from seeds and the project's
catalog (information_schema), otherwise reported with SL5020 naming what they read; and a
package packages.yml declares that dbt_packages/ lacks is named, with 'run dbt deps'."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate

_SEED = "status,label\nplaced,Placed\nshipped,Shipped\nreturned,Returned\nshipped,Shipped\n"
_PIVOT = """{% set statuses = run_query("select distinct status from " ~ ref('statuses') ~ " order by status") %}
select id,
{%- for s in statuses.columns[0].values() %}
  sum(case when kind = '{{ s }}' then 1 else 0 end) as n_{{ s }}{{ ',' if not loop.last }}
{%- endfor %}
from {{ source('app', 'events') }}
group by id
"""


def test_run_query_over_a_seed_is_answered_from_its_rows(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p", {"pivoted.sql": _PIVOT}, {"seeds/statuses.csv": _SEED}
    )
    result = migrate(project, plan=True)
    table = result.table("pivoted")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    dml = table.dml or ""
    assert [c in dml for c in ("n_placed", "n_returned", "n_shipped")] == [True] * 3
    assert dml.index("n_placed") < dml.index("n_returned") < dml.index("n_shipped")
    assert any(d.rule_id == "SL5020" and "3 rows" in d.message for d in table.diagnostics)
    assert "seed.demo.statuses" in {  # the seed is a parent: ordered before, in the lineage
        t.unique_id for t in result.tables if t.name in table.parents
    }


_STATEMENT = """{%- call statement('labels', fetch_result=True) -%}
    select status, label from {{ ref('statuses') }} group by status, label order by status
{%- endcall -%}
{%- set rows = load_result('labels')['table'].rows -%}
select
{%- for row in rows %}
  '{{ row.label }}' as {{ row['status'] }}_label{{ ',' if not loop.last }}
{%- endfor %}
"""


def test_statement_block_and_load_result(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p", {"labels.sql": _STATEMENT}, {"seeds/statuses.csv": _SEED}
    )
    result = migrate(project, plan=True)
    table = result.table("labels")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert "'Placed' AS placed_label" in (table.dml or "")


_CATALOG = """{%- set found = run_query("select column_name from information_schema.columns "
    ~ "where table_name = 'events' and data_type = 'bigint' order by ordinal_position") -%}
select {{ found.columns[0].values() | join(', ') }} from {{ source('app', 'events') }}
"""


def test_information_schema_is_answered_from_declared_columns(tmp_path: Path) -> None:
    result = migrate(make_project(tmp_path / "p", {"ids.sql": _CATALOG}), plan=True)
    table = result.table("ids")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert (table.dml or "").split("SELECT")[1].split()[:2] == ["id,", "user_id"]


@pytest.mark.parametrize(
    "model",
    [
        "{% set r = run_query('select max(event_ts) from ' ~ source('app', 'events')) %}select 1 as x",
        "{% set r = run_query('select count(*) from ' ~ ref('stg')) %}select 1 as x",
        "{% call statement('s', fetch_result=True) %}select * from somewhere_else{% endcall %}select 1 as x",
        "{% do run_query('delete from audit') %}select 1 as x",
        "{% set r = run_query('select row_count from information_schema.tables') %}select 1 as x",
        # sqlglot's executor has no CONVERT_TIMEZONE (dbt_date's date spine asks it)
        "{% set r = run_query(\"select convert_timezone('UTC', 'America/Los_Angeles', "
        "cast('2024-01-01' as timestamp)) as d\") %}select 1 as x",
    ],
)
def test_unanswerable_queries_are_reported_not_empty(tmp_path: Path, model: str) -> None:
    project = make_project(
        tmp_path / "p",
        {"q.sql": model, "stg.sql": "select id from {{ source('app', 'events') }}"},
    )
    result = migrate(project)
    table = result.table("q")
    assert table.status is Status.FAILED and table.dml is None
    [error] = table.errors
    assert error.rule_id == "SL5020" and error.suggestion
    assert "Step '" not in error.message  # the executor's step name holds an object id
    assert result.table("stg").status is Status.TRANSLATED


_PACKAGES = """packages:
  - package: dbt-labs/dbt_utils
    version: 1.3.0
  - package: calogica/dbt_expectations
    version: [">=0.10.0", "<0.11.0"]
  - git: "https://github.com/dbt-labs/dbt-audit-helper.git"
    revision: main
"""


@pytest.mark.parametrize(
    ("call", "package"),
    [
        ("{{ dbt_expectations.rand() }}", "dbt_expectations"),
        ("{{ audit_helper.compare_relations('a', 'b') }}", "audit_helper"),
        ("{{ dbt_utils.get_url_host('x') }}", "dbt_utils"),
        ("{{ adapter.dispatch('rand', 'dbt_expectations')() }}", "dbt_expectations"),
    ],
)
def test_missing_package_is_named_per_model(tmp_path: Path, call: str, package: str) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "uses.sql": f"select {call} as x from {{{{ source('app', 'events') }}}}",
            "fine.sql": "select {{ dbt_utils.generate_surrogate_key(['id']) }} as k, id "
            "from {{ source('app', 'events') }}",
        },
        {"packages.yml": _PACKAGES},
    )
    result = migrate(project)
    uses = result.table("uses")
    assert uses.status is Status.FAILED
    [error] = uses.errors
    assert error.rule_id == "SL5021" and package in error.message
    assert "dbt deps" in error.message and "dbt deps" in (error.suggestion or "")
    assert result.table("fine").status is Status.TRANSLATED  # built-ins need no package
