"""The planner's changelog verdict vs the derivation (SL4111): ``migrate --plan`` and ``verify``
explain each statement with EXPLAIN CHANGELOG_MODE and say when it differs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from _flink_oracle import CATALOG_DDL
from _query_gen import queries
from shiftleft.derive import append_source, upsert_source
from shiftleft.streaming.verdict import (
    PlannerChangelog,
    _Explainer,
    compare,
    script_verdicts,
    sink_input_changelog,
)
from shiftleft.flink_engine.planner import split_statements
from shiftleft.models import Severity

_UPDATING = PlannerChangelog(modes=["I", "UB", "UA", "D"])
_INSERT = PlannerChangelog(modes=["I"])


def test_compare_names_both_verdicts() -> None:
    append = append_source(["id", "k"])
    upsert = upsert_source(["id", "k"], ["id"])
    assert compare(append, _INSERT) is None and compare(upsert, _UPDATING) is None
    missed = compare(append, _UPDATING, sink="append")
    assert missed is not None and missed.severity is Severity.ERROR and missed.rule_id == "SL4111"
    assert "insert-only" in missed.message and "updating [I,UB,UA,D]" in missed.message
    assert compare(append, _UPDATING, sink="upsert").severity is Severity.WARNING  # the sink takes them
    conservative = compare(upsert, _INSERT)
    assert conservative.severity is Severity.INFO and "append sink would do" in conservative.message
    refused = compare(upsert, None, primary_key=["k"], sink_error="The query has an upsert key that differs from the primary key")
    assert refused.severity is Severity.ERROR and "sink key k" in refused.message


@pytest.mark.flink
@pytest.mark.slow
def test_script_verdicts_say_where_the_planner_differs(flink_planner_connectors) -> None:
    script = ";\n".join([
        *CATALOG_DDL,
        "CREATE VIEW latest AS SELECT id, k, ts FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) = 1",
        "SELECT id, k FROM latest",  # agree: updating
        "SELECT k, COUNT(*) AS c FROM a GROUP BY k",  # agree: updating
        # Flink 2.3 plans a Top-1 ordered ascending by a non-time column insert-only (append-fast):
        # a row taking first place comes as one more insert, the replaced one stays (SL4112)
        "SELECT id, v FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY v) = 1",
    ]) + ";"
    statements = split_statements(script)
    found = script_verdicts(flink_planner_connectors, statements, "streaming")
    assert [(d.statement, d.rule_id, d.severity) for d in found] == [
        (len(CATALOG_DDL) + 4, "SL4112", Severity.ERROR)
    ], found
    assert "Top-1 (partition [id], order [v ASC]) as insert-only" in found[0].message
    assert script_verdicts(flink_planner_connectors, statements, "batch") == []


@pytest.mark.flink
@pytest.mark.slow
def test_an_insert_only_top1_fails_its_model_unless_upserted_on_the_partition(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SL4112 in migrate: a Top-1 ascending by a non-time column, written straight to the
    upsert table keyed on its partition, is right (the new first row replaces the old one);
    joined in the same model it keeps replaced rows: the model fails, with the plan's reason."""
    from shiftleft.migration import Status, migrate

    root = tmp_path / "p"
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: demo\nmodels:\n  demo:\n    +materialized: table\n")
    (root / "models" / "sources.yml").write_text(
        "version: 2\nsources:\n  - name: app\n    tables:\n      - name: events\n        columns:\n"
        "          - {name: id, data_type: bigint}\n          - {name: user_id, data_type: bigint}\n"
        "          - {name: kind, data_type: string}\n"
    )
    ranked = "select *, row_number() over (partition by user_id order by kind) as rn from {{ source('app', 'events') }}"
    (root / "models" / "first_kind.sql").write_text(f"with r as ({ranked}) select user_id, kind from r where rn = 1")
    (root / "models" / "first_kind_joined.sql").write_text(
        f"with r as ({ranked}) select e.id, r.kind from {{{{ source('app', 'events') }}}} e "
        "join (select * from r where rn = 1) r on e.user_id = r.user_id"
    )
    result = migrate(root, plan=True)
    alone, joined = result.table("first_kind"), result.table("first_kind_joined")
    assert alone.status is Status.TRANSLATED and alone.primary_key == ["user_id"], alone.diagnostics
    assert joined.status is Status.FAILED
    assert [d.rule_id for d in joined.errors] == ["SL4112"], joined.diagnostics


@pytest.mark.flink
@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries(), keyed=st.booleans())
def test_an_inserts_plan_tells_whether_its_query_updates(flink_planner_connectors, query, keyed) -> None:
    """``migrate --plan`` reads whether a query updates from its INSERT's plan (one planner call
    per table): the sink's input updates exactly when the query explained alone does, whatever
    the sink (an append or a keyed one: it only decides whether update-befores are sent)."""
    session = flink_planner_connectors.session("streaming")
    for ddl in CATALOG_DDL:
        session.plan(ddl + ";")
    env = session._env
    alone = _Explainer(env).changelog(query)
    assume(alone is not None)
    schema = env.sqlQuery(query).getResolvedSchema().getColumns()
    types = [str(schema.get(i).getDataType()).split(" *")[0] for i in range(schema.size())]
    columns = ", ".join(f"c{i} {t}" for i, t in enumerate(types))
    key = ", PRIMARY KEY (c0) NOT ENFORCED" if keyed else ""
    session.plan(f"CREATE TABLE sink_t ({columns}{key}) WITH ('connector' = 'blackhole');")
    report = session.plan(f"INSERT INTO sink_t {query};", changelog=True)
    assume(report.ok)
    from_insert = sink_input_changelog(report.statements[0].plan or "")
    assert from_insert is not None and from_insert.updating == alone.updating, (from_insert, alone)
