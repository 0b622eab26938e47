"""The pipelines folder as a DAG, selection, blue/green planning, failures and resume
(in-memory deployer; the real cluster is in test_cluster.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes import FakeDeployer

from shiftleft.deploy import DeployOptions, deploy, load_pipelines
from shiftleft.deploy.engine import Action, plan_deploy, read_state
from shiftleft.deploy.pipelines import normalize, rename_tables
from shiftleft.errors import ConfigError, InputError


def test_order_puts_every_parent_first(shop_pipelines: Path) -> None:
    p = load_pipelines(shop_pipelines)
    order = p.order()
    assert sorted(order) == sorted(p.tables)
    for name in order:
        for parent in p.tables[name].parents:
            assert order.index(parent) < order.index(name), (parent, name)


def test_parents_of_inlined_models_come_from_the_statements(shop_pipelines: Path) -> None:
    # fct_orders reads stg_payments only through the ephemeral int_order_payments (a CTE)
    p = load_pipelines(shop_pipelines)
    assert "stg_payments" in p.tables["fct_orders"].parents
    assert "fct_orders" in p.children_of("stg_payments")


def test_select_like_dbt(shop_pipelines: Path) -> None:
    p = load_pipelines(shop_pipelines)
    assert p.select(["fct_orders"]) == {"fct_orders"}
    up = p.select(["+fct_orders"])
    assert {"raw_orders", "stg_orders", "fct_orders"} <= up and "fct_daily_revenue" not in up
    down = p.select(["fct_orders+"])
    assert "fct_daily_revenue" in down and "raw_orders" not in down
    assert p.select(["raw_*"]) == {n for n in p.tables if n.startswith("raw_")}
    with pytest.raises(ConfigError, match="no table named 'nope'"):
        p.select(["nope+"])


def test_not_a_pipelines_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"inventory\.json"):
        load_pipelines(tmp_path)


@pytest.mark.parametrize(
    "a,b",
    [
        ("INSERT INTO t SELECT a, b FROM s", "insert into t\n  select a,   b from s"),
        ("CREATE TABLE t (a INT) WITH ('connector' = 'x')", "create table t (\n a int\n) with ('connector'='x')"),
    ],
)
def test_normalized_statements_compare_equal(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)
    assert normalize(a) != normalize(a.replace(" b", " c") + " WHERE 1 = 0")


def test_rename_reaches_references_and_topic_but_not_ctes() -> None:
    sql = "INSERT INTO child WITH x AS (SELECT * FROM parent) SELECT * FROM x JOIN other ON TRUE"
    out = rename_tables(sql, {"parent": "parent_v2", "x": "nope"})
    assert "parent_v2" in out and "nope" not in out.replace("x AS", "")
    ddl = "CREATE TABLE parent (a INT) WITH ('connector' = 'kafka', 'topic' = 'parent')"
    assert "'topic' = 'parent_v2'" in rename_tables(ddl, {"parent": "parent_v2"})


def _edit(root: Path, table: str, old: str, new: str) -> None:
    inventory = json.loads((root / "inventory.json").read_text())
    path = root / inventory[table]["dml_ref"]
    path.write_text(path.read_text().replace(old, new, 1))


def test_deploy_then_rerun_is_unchanged_then_blue_green(pipelines_copy: Path) -> None:
    p = load_pipelines(pipelines_copy)
    fake = FakeDeployer()
    report = deploy(p, fake, DeployOptions())
    assert report.ok and all(o.action is Action.CREATE for o in report.outcomes)
    submitted = [t for t, _ in fake.jobs.values()]
    assert submitted == [n for n in p.order() if p.tables[n].dml]
    # second run: nothing to do, but every DDL is declared again in the new session
    again = deploy(p, fake, DeployOptions())
    assert {o.action for o in again.outcomes} == {Action.UNCHANGED}
    assert len(fake.jobs) == len(submitted)
    # change fct_orders: a new version of it and of its descendants, the old ones kept
    _edit(pipelines_copy, "fct_orders", "order_id,", "order_id + 0 AS order_id,")  # comments do not count
    p2 = load_pipelines(pipelines_copy)
    plan = {x.table: x for x in plan_deploy(p2, read_state(p2, "fake"), DeployOptions(version=2))}
    assert plan["fct_orders"].action is Action.NEW_VERSION
    assert plan["fct_orders"].deployed_as == "fct_orders_v2"
    assert plan["fct_daily_revenue"].action is Action.NEW_VERSION  # reads the new sink
    assert plan["raw_orders"].action is Action.UNCHANGED
    v2 = deploy(p2, fake, DeployOptions(version=2))
    assert v2.ok and not fake.cancelled
    new_jobs = {t: s for t, s in fake.jobs.values() if t.endswith("_v2")}
    assert set(new_jobs) == {"fct_orders_v2", "fct_daily_revenue_v2"}
    assert "fct_orders_v2" in new_jobs["fct_daily_revenue_v2"]
    assert any("CREATE TABLE fct_orders_v2" in d for d in fake.ddl)
    # --stop-old stops the jobs of version 1 once version 3 runs
    _edit(pipelines_copy, "fct_orders", "order_id + 0", "order_id + 1")
    v3 = deploy(load_pipelines(pipelines_copy), fake, DeployOptions(version=3, stop_old=True))
    assert v3.ok and len(v3.stopped) == 4  # v1 and v2 of both tables
    with pytest.raises(ConfigError, match="already deployed as version 3"):
        plan_deploy(p2, read_state(p2, "fake"), DeployOptions(version=3))


def test_failure_skips_descendants_and_rerun_resumes(pipelines_copy: Path) -> None:
    _edit(pipelines_copy, "fct_orders", "SELECT", "SELECT /* FAIL_ME */")
    fake = FakeDeployer()
    report = deploy(load_pipelines(pipelines_copy), fake, DeployOptions())
    failed = {o.table: o.error for o in report.failed}
    assert "FAIL_ME" in failed["fct_orders"]
    assert failed["fct_daily_revenue"].startswith("skipped: parent fct_orders failed")
    assert "int_customer_orders" not in failed  # not a descendant: deployed
    deployed = len(fake.jobs)
    _edit(pipelines_copy, "fct_orders", "/* FAIL_ME */", "")
    p = load_pipelines(pipelines_copy)
    plan = {x.table: x.action for x in plan_deploy(p, read_state(p, "fake"), DeployOptions())}
    assert plan["fct_orders"] is Action.RESUME and plan["fct_daily_revenue"] is Action.CREATE
    assert plan["raw_orders"] is Action.UNCHANGED
    again = deploy(p, fake, DeployOptions())
    assert again.ok
    assert sorted(t for t, _ in list(fake.jobs.values())[deployed:]) == ["fct_daily_revenue", "fct_orders"]


def test_a_job_that_died_is_resumed(pipelines_copy: Path) -> None:
    p = load_pipelines(pipelines_copy)
    fake = FakeDeployer()
    deploy(p, fake, DeployOptions())
    job = next(j for j, (t, _) in fake.jobs.items() if t == "rpt_payment_methods")
    fake.states[job] = "FAILED"
    plan = {x.table: x.action for x in plan_deploy(p, read_state(p, "fake"), DeployOptions(), fake.state)}
    assert plan["rpt_payment_methods"] is Action.RESUME
    assert plan["fct_orders"] is Action.UNCHANGED


def test_select_declares_parents_without_submitting_them(pipelines_copy: Path) -> None:
    p = load_pipelines(pipelines_copy)
    fake = FakeDeployer()
    report = deploy(p, fake, DeployOptions(select=["fct_daily_revenue"]))
    assert [o.table for o in report.outcomes] == ["fct_daily_revenue"]
    assert [t for t, _ in fake.jobs.values()] == ["fct_daily_revenue"]
    assert any("CREATE VIEW stg_orders" in d for d in fake.ddl)  # declared for resolution


def test_untranslated_tables_are_blocked(pipelines_copy: Path) -> None:
    path = next(pipelines_copy.rglob("fct_orders/pipeline_definition.json"))
    definition = json.loads(path.read_text())
    path.write_text(json.dumps({**definition, "status": "failed"}))
    report = deploy(load_pipelines(pipelines_copy), FakeDeployer(), DeployOptions())
    failed = {o.table: o.error for o in report.failed}
    assert "migration status failed" in failed["fct_orders"]
    assert "fct_daily_revenue" in failed
