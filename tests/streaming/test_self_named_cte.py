"""A CTE named after the relation it reads (``WITH orders AS (SELECT * FROM orders)``, as dbt
models name their import CTEs) reads that relation: a CTE sees only the CTEs before it (Spark,
BigQuery and Flink 2.3 scope them so).  ``sources=True`` left such a table out of the source
DDL (the planner: "Object 'orders' not found"), the derivation took the CTE for a cycle, and
the blue/green renaming of a deployment skipped the reference.  Generated queries: every
translation reported as translated plans, sources included, on Flink 2.3 with the Kafka
connector."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.deploy.pipelines import rename_tables

BODIES = ("SELECT * FROM {t}", "SELECT id, amount FROM {t} WHERE id IS NOT NULL", "SELECT DISTINCT id, amount FROM {t}",
          "SELECT id, SUM(amount) AS amount FROM {t} GROUP BY id")
OUTER = ("SELECT id, amount FROM {t}", "SELECT COUNT(*) AS n FROM {t}", "SELECT a.id FROM {t} AS a JOIN other AS o ON a.id = o.id")


@pytest.mark.slow
@pytest.mark.flink
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.sampled_from(BODIES), outer=st.sampled_from(OUTER), name=st.sampled_from(["orders", "stg_orders"]),
       earlier=st.booleans(), mode=st.sampled_from(["batch", "streaming"]))
def test_self_named_ctes_read_their_table(flink_planner_connectors, body: str, outer: str, name: str,  # type: ignore[no-untyped-def]
                                          earlier: bool, mode: str) -> None:
    ctes = [f"{name} AS ({body.format(t=name)})"]
    if earlier:  # a CTE before it reading the same table
        ctes.insert(0, f"first AS (SELECT id FROM {name})")
    sql = f"WITH {', '.join(ctes)} {outer.format(t=name)}"
    result = shiftleft.transpile(sql, read="spark", mode=mode, sources=True)
    assert any(s.startswith(f"CREATE TABLE {name}") for s in result.sources), result.sql
    if not result.ok:
        return
    report = flink_planner_connectors.plan(result.sql, mode=mode)
    assert report.ok, f"{sql}\n{result.sql}\n{report.errors[0].message}"


def test_a_self_named_cte_reads_the_table_for_the_changelog() -> None:
    result = shiftleft.transpile("WITH orders AS (SELECT * FROM orders) SELECT id FROM orders", read="spark")
    assert result.statements[0].outputs[0].changelog == "append"


def test_deploy_renames_a_reference_inside_a_self_named_cte() -> None:
    sql = "INSERT INTO child WITH parent AS (SELECT * FROM parent) SELECT * FROM parent"
    assert rename_tables(sql, {"parent": "parent_v2"}).count("FROM parent_v2") == 1
    assert "WITH parent AS" in rename_tables(sql, {"parent": "parent_v2"})


@pytest.mark.slow
@pytest.mark.flink
def test_a_source_whose_columns_are_never_named(flink_planner_connectors) -> None:  # type: ignore[no-untyped-def]
    """Flink 2.3 takes a table declared without columns: COUNT(*) over it counts its rows."""
    counted = shiftleft.transpile("SELECT COUNT(*) AS n FROM orders", read="spark", mode="batch", sources=True)
    assert counted.ok and flink_planner_connectors.plan(counted.sql, mode="batch").ok


COLUMNS = ("o.id", "id", "o.amount", "amount", "c.name", "name", "c.id", "total")


@pytest.mark.slow
@pytest.mark.flink
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=4, unique=True), cte=st.booleans())
def test_unqualified_columns_over_several_sources(flink_planner_connectors, items: list[str], cte: bool) -> None:  # type: ignore[no-untyped-def]
    """An unqualified column of a query over several undeclared tables names no table: SL4113,
    never a source DDL without it (the planner: "Column 'name' not found")."""
    source = "(SELECT id, amount, UPPER(amount) AS total FROM orders)" if cte else "orders"
    projections = [f"{c} AS c{i}" for i, c in enumerate(items)]
    sql = f"SELECT {', '.join(projections)} FROM {source} AS o JOIN customers AS c ON o.id = c.id"
    result = shiftleft.transpile(sql, read="spark", mode="batch", sources=True)
    if not result.ok:
        assert "SL4113" in {d.rule_id for d in result.diagnostics}, result.diagnostics
        return
    report = flink_planner_connectors.plan(result.sql, mode="batch")
    assert report.ok, f"{sql}\n{result.sql}\n{report.errors[0].message}"
