"""Columns are never invented: demanded through CTEs, typed by use, reported when unknown."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate


def _passthrough(hops: int, body: str) -> str:
    """A model reading source app.users through ``hops`` ``select *`` CTEs, then ``body``."""
    ctes = ["c0 as (select * from {{ source('app', 'users') }})"]
    ctes += [f"c{i} as (select * from c{i - 1})" for i in range(1, hops + 1)]
    return "with " + ", ".join(ctes) + "\n" + body.format(last=f"c{hops}")


@pytest.mark.parametrize("hops", [0, 1, 3])
def test_columns_demanded_through_star_ctes_are_declared_and_typed(
    tmp_path: Path, hops: int
) -> None:
    body = (
        "select id, name, sum(score) as total from {last}\n"
        "where signed_up >= cast('2024-01-01' as date)\ngroup by id, name"
    )
    project = make_project(tmp_path / "p", {"agg_users.sql": _passthrough(hops, body)})
    result = migrate(project, plan=True)
    users = result.table("users")
    assert users.status is Status.DECLARED
    ddl = users.ddl or ""
    for column in ("id STRING", "name STRING", "score DOUBLE", "signed_up DATE"):
        assert column in ddl
    assert "*" not in ddl
    [note] = [d for d in users.diagnostics if d.rule_id == "SL4105"]
    assert "id" in note.message and "score DOUBLE" in note.message  # STRING fallbacks named
    assert result.table("agg_users").status is Status.TRANSLATED, [
        d.message for d in result.table("agg_users").diagnostics
    ]


def test_source_read_only_with_star_is_reported_and_its_reader_blocked(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "stg_users.sql": "select * from {{ source('app', 'users') }}",
            "users_copy.sql": "select * from {{ ref('stg_users') }}",
        },
    )
    result = migrate(project, tmp_path / "out")
    users = result.table("users")
    assert users.status is Status.FAILED and users.ddl is None
    assert [d.rule_id for d in users.errors] == ["SL5012"]
    assert not list((tmp_path / "out").rglob("ddl.users.sql"))
    for name in ("stg_users", "users_copy"):
        table = result.table(name)
        assert table.status is not Status.TRANSLATED
        assert table.status in (Status.BLOCKED, Status.FAILED, Status.NEEDS_LLM)


@pytest.mark.parametrize("missing", ["nope", "e.nope"])
def test_column_the_parent_lacks_fails_the_model_keeps_its_ddl_and_blocks_children(
    tmp_path: Path, missing: str
) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "stg_events.sql": f"select e.id, {missing} as x from {{{{ source('app', 'events') }}}} e",
            "fct.sql": "select id, count(*) as n from {{ ref('stg_events') }} group by id",
        },
    )
    result = migrate(project)
    stg = result.table("stg_events")
    assert stg.status is Status.FAILED and stg.dml is None and stg.ddl
    assert any(d.rule_id == "SL5012" and "nope" in d.message for d in stg.errors)
    fct = result.table("fct")
    assert fct.status is Status.BLOCKED and not fct.errors
    assert any(d.rule_id == "SL5011" and "stg_events" in d.message for d in fct.diagnostics)


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        ("sum(p.amount) as total", "DOUBLE"),
        ("max(p.amount / nullif(p.qty, 0)) as total", "DOUBLE"),
        ("max(round(p.amount, 2)) as total", "DOUBLE"),
    ],
)
@pytest.mark.parametrize("hops", [1, 2])
def test_type_of_use_flows_back_through_renaming_models(
    tmp_path: Path, use: str, expected: str
    , hops: int
) -> None:
    """A source column renamed by a staging view (`l_amount as amount`, as many views as
    `hops`) and summed two models below is numeric in the source: the pipeline plans."""
    models = {
        "stg1.sql": "with s as (select * from {{ source('app', 'users') }})\n"
        "select id, l_amount as amount, l_qty as qty from s",
    }
    for i in range(2, hops + 1):
        models[f"stg{i}.sql"] = f"select * from {{{{ ref('stg{i - 1}') }}}}"
    models["agg.sql"] = (
        f"with p as (select * from {{{{ ref('stg{hops}') }}}})\nselect id, {use} from p group by id"
    )
    result = migrate(make_project(tmp_path / "p", models), plan=True)
    ddl = result.table("users").ddl or ""
    assert f"l_amount {expected}" in ddl
    agg = result.table("agg")
    assert agg.status is Status.TRANSLATED, [d.message for d in agg.diagnostics]


def test_string_column_in_arithmetic_is_reported_without_the_planner(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "stg.sql": "select id, cast(kind as string) as amount from {{ source('app', 'events') }}",
            "agg.sql": "select id, sum(amount) as total from {{ ref('stg') }} group by id",
        },
    )
    result = migrate(project)
    agg = result.table("agg")
    assert agg.status is not Status.TRANSLATED
    assert any(d.rule_id == "SL5006" and "amount" in d.message for d in agg.errors)


@pytest.mark.parametrize("read", ["spark", "databricks", "duckdb", "snowflake"])
@pytest.mark.parametrize("flink", ["TIMESTAMP(3)", "TIMESTAMP", "TIMESTAMP_LTZ(3)", "DATE", "DECIMAL(16, 2)", "BIGINT"])
def test_a_parent_type_reads_back_as_the_same_flink_type(read: str, flink: str) -> None:
    """Parents' columns reach a model's translation in the read dialect's spelling: Spark's
    TIMESTAMP is Flink's TIMESTAMP_LTZ, so a Flink TIMESTAMP must not come back with a time
    zone (the sink then declared another type than the query gives: a planner rejection)."""
    from sqlglot import exp

    from shiftleft.migration.translate import read_type
    from shiftleft.streaming.typed_query import flink_type

    back = flink_type(read_type(flink, read), read)
    assert back is not None
    assert exp.DataType.build(back, dialect="flink").this is exp.DataType.build(flink, dialect="flink").this


#: (a use of source column x, the Flink type it gives x): conditions are booleans, the date
#: argument of a date / time function is a timestamp, MIN / MAX keep their argument's type
USES = [
    ("not x", "BOOLEAN"),
    ("x and id is not null", "BOOLEAN"),
    ("case when x then 1 else 0 end", "BOOLEAN"),
    ("x = true", "BOOLEAN"),
    ("date_add(x, 2)", "TIMESTAMP(3)"),
    ("date_trunc('day', x)", "TIMESTAMP(3)"),
    # Spark reads a string or a date here (to_date first): the STRING fallback stays, and plans
    ("datediff(x, current_date())", "STRING"),
    ("year(x)", "STRING"),
    ("max(x) >= cast('2024-01-01' as date)", "DATE"),
]


@pytest.mark.parametrize("hops", [0, 2])
@pytest.mark.parametrize("use, flink", USES)
def test_type_of_use_of_an_undeclared_source_column_plans(
    tmp_path: Path, use: str, flink: str, hops: int
) -> None:
    """The class seen on real projects (``where not is_deleted`` over a source that declares no
    columns was a STRING the planner refused in NOT): the use types the column, through
    ``select *`` CTEs, and the planner accepts the model."""
    aggregate = use.startswith("max(")
    body = f"select id, {use} as y from {{last}}" + (" group by id" if aggregate else "")
    project = make_project(tmp_path / "p", {"m.sql": _passthrough(hops, body)})
    result = migrate(project, plan=True)
    assert f"x {flink}" in (result.table("users").ddl or "")
    model = result.table("m")
    assert model.status is Status.TRANSLATED, [d.message for d in model.diagnostics]


@pytest.mark.parametrize("read", ["spark", "snowflake"])
def test_column_names_in_another_case_read_their_declared_spelling(
    tmp_path: Path, read: str
) -> None:
    """Spark and Snowflake resolve names without regard to case; Flink does not: a model
    writing ``USER_ID`` over a source declaring ``user_id`` plans (SL3020)."""
    sql = "select ID, User_Id as uid, EVENT_TS from {{ source('app', 'events') }} where KIND = 'x'"
    project = make_project(tmp_path / "p", {"m.sql": sql})
    model = migrate(project, read=read, plan=True).table("m")
    assert model.status is Status.TRANSLATED, [d.message for d in model.diagnostics]
    assert "SL3020" in model.rules_applied


@pytest.mark.parametrize("hops", [1, 2, 3])
@pytest.mark.parametrize("direct", [True, False])
def test_columns_used_below_select_star_models_are_declared(tmp_path: Path, hops: int, direct: bool) -> None:
    """A source read directly for one column (or not at all) and through ``hops`` staging
    models that ``select *`` it for the others: the columns the model at the bottom uses are
    the source's too (gitlab's prep_crm_user read ``sfdc_user_roles.name`` so, and was failed
    with a false "Unknown column: name")."""
    models = {"stg0.sql": "with base as (select * from {{ source('app', 'users') }})\nselect * from base"}
    for i in range(1, hops):
        models[f"stg{i}.sql"] = f"select * from {{{{ ref('stg{i - 1}') }}}}"
    if direct:
        models["audit.sql"] = "select id, lastmodifieddate from {{ source('app', 'users') }}"
    models["final.sql"] = (
        f"with u as (select * from {{{{ ref('stg{hops - 1}') }}}})\n"
        "select u.id, u.name as user_name, sum(u.score) as total from u group by u.id, u.name"
    )
    result = migrate(make_project(tmp_path / "p", models), plan=False)
    ddl = result.table("users").ddl or ""
    for column in ("id STRING", "name STRING", "score DOUBLE", *(["lastmodifieddate STRING"] if direct else [])):
        assert column in ddl, ddl
    final = result.table("final")
    assert final.status is Status.TRANSLATED, [d.message for d in final.diagnostics]


@pytest.mark.parametrize(
    "loaded_at", ["loaded_at", "DATEADD(sec, _uploaded_at, '1970-01-01')", "dateadd('second', ts, '1970-01-01')"]
)
def test_star_reader_of_a_source_sees_its_event_time_column(tmp_path: Path, loaded_at: str) -> None:
    """The source DDL adds its loaded_at_field column (the event time) when the columns do not
    list it: a reader's SELECT * has it too, so the reader's sink declares it; a
    loaded_at_field that is an expression is no column at all.  The planner accepts both."""
    project = make_project(tmp_path / "p", {
        "stg.sql": "with base as (select * from {{ source('app', 'snap') }})\nselect * from base",
        "snap.yml": "version: 2\nsources:\n  - name: app\n    tables:\n      - name: snap\n"
        f"        loaded_at_field: \"{loaded_at}\"\n        columns:\n"
        "          - {name: id, data_type: bigint}\n          - {name: kind, data_type: string}\n",
    })
    result = migrate(project, plan=True)
    stg = result.table("stg")
    assert stg.status is Status.TRANSLATED, [d.message for d in stg.diagnostics]
    assert ("loaded_at" in (stg.ddl or "")) is (loaded_at == "loaded_at"), stg.ddl
    assert "DATEADD" not in (result.table("snap").ddl or "").upper()


@pytest.mark.parametrize(
    ("expression", "found"),
    [
        ("COALESCE(s, x)", [("s", "COALESCE with DOUBLE")]),
        ("COALESCE((s), flag)", [("s", "COALESCE with BOOLEAN")]),
        ("COALESCE(s, 0)", [("s", "COALESCE with INT")]),
        ("COALESCE(s, 'none')", []),
        ("COALESCE(s, s2)", []),
        ("COALESCE(x, 0)", []),
    ],
)
def test_a_string_coalesced_with_a_number_or_boolean_is_found(expression: str, found: list[tuple[str, str]]) -> None:
    """Flink has no common type of a STRING and a number or boolean ("Invalid function call:
    COALESCE(STRING, BOOLEAN)", checked on Flink 2.3): found without the planner (SL5006)."""
    import sqlglot

    from shiftleft.migration.columns import column_checks

    tree = sqlglot.parse_one(f"SELECT {expression} AS v FROM t", read="flink")
    schema = {"t": {"s": "STRING", "s2": "STRING", "x": "DOUBLE", "flag": "BOOLEAN"}}
    assert column_checks(tree, schema)[1] == found


@pytest.mark.parametrize(
    "use",
    [
        "coalesce(closed_at::date, planned) as closed",
        "dateadd(month, -1, planned) as month_before",
        "datediff(day, planned, closed_at::date) as days",
        "planned as again",
    ],
)
@pytest.mark.parametrize("where", ["", "where planned > '2020-01-01'"])
def test_a_computed_select_alias_reused_by_the_select_is_no_source_column(tmp_path: Path, use: str, where: str) -> None:
    """Snowflake (and Spark 3.4+) let a SELECT's later items and its WHERE name an alias the
    SELECT computes (``release_date::date as planned``): below a ``select *`` CTE of a source
    that name was taken for a column of the source, declared (a column no message holds, so
    always NULL), and the alias was not inlined (mattermost's dim_releases: reported translated,
    its sink typed for the alias and the query typed for the column)."""
    model = (
        "with rd as (select * from {{ source('app', 'users') }})\n"
        f"select id, opened_at::date as planned, {use} from rd {where}"
    )
    result = migrate(make_project(tmp_path / "p", {"releases.sql": model}), read="snowflake", plan=True)
    ddl = result.table("users").ddl or ""
    assert "planned" not in ddl, ddl
    assert "opened_at" in ddl and "closed_at" in ddl if "closed_at" in use else "opened_at" in ddl
    releases = result.table("releases")
    assert releases.status is Status.TRANSLATED, [d.message for d in releases.diagnostics]


@pytest.mark.parametrize(
    ("read", "sql", "declared"),
    [
        (
            "bigquery",
            "select organization, a10.id as id, a10.n + 1 as n1 from {{ source('app', 'users') }}, unnest(items) as a10",
            "items ARRAY<ROW<`id` STRING, `n` DOUBLE>>",
        ),
        (
            "spark",
            "select t.item.id as id from {{ source('app', 'users') }} lateral view explode(items) t as item",
            "items ARRAY<ROW<`id` STRING>>",
        ),
        ("bigquery", "select organization, x from {{ source('app', 'users') }}, unnest(tags) as x", "tags ARRAY<STRING>"),
    ],
)
def test_unnested_source_column_is_an_array_typed_by_its_elements_use(
    tmp_path: Path, read: str, sql: str, declared: str
) -> None:
    """cal-itp's ``FROM source, UNNEST(col) AS a10`` reading ``a10.id``: the undeclared column was
    declared STRING, and the planner refused the model ("Cannot apply 'UNNEST' to arguments of
    type 'UNNEST(<VARCHAR(2147483647)>)'") with no error reported."""
    project = make_project(tmp_path / "p", {"stg.sql": sql})
    result = migrate(project, read=read, plan=True)
    users = result.table("users")
    assert declared in (users.ddl or ""), users.ddl
    assert " x " not in (users.ddl or "")  # an element is no column of the source
    stg = result.table("stg")
    assert stg.status is Status.TRANSLATED, [d.message for d in stg.diagnostics]
