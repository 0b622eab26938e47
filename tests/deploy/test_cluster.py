"""Against a real standalone Flink 2.3 cluster started from the apache-flink wheel (once per
session).  No Kafka broker exists here, so the tables are bound to files (filesystem
connector, changelog as debezium-json) by :mod:`shiftleft.deploy.binding`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shiftleft.deploy import DeployOptions, deploy, load_pipelines
from shiftleft.deploy.binding import bind_to_files, final_state
from shiftleft.deploy.cluster import LocalCluster
from shiftleft.deploy.deployers import PyFlinkDeployer
from shiftleft.deploy.engine import Action
from shiftleft.deploy.rest import JobManagerApi

pytestmark = pytest.mark.slow


def _cancel_all(cluster: LocalCluster) -> None:
    api = JobManagerApi(cluster.url)
    for job in api.jobs():
        if job["state"] not in ("FINISHED", "FAILED", "CANCELED"):
            api.cancel(job["jid"])


def _deployer(cluster: LocalCluster, tmp_path: Path, interval: str = "2 s") -> PyFlinkDeployer:
    return PyFlinkDeployer(
        cluster.url,
        config={
            "execution.checkpointing.interval": interval,
            "execution.checkpointing.dir": (tmp_path / "checkpoints").as_uri(),
        },
    )


def test_example_project_deploys_and_streams(cluster: LocalCluster, pipelines_copy: Path, tmp_path: Path) -> None:
    pipelines = bind_to_files(load_pipelines(pipelines_copy), tmp_path / "data")
    deployer = _deployer(cluster, tmp_path)
    try:
        report = deploy(pipelines, deployer, DeployOptions(timeout=90), target_key="it")
        assert report.ok, [(o.table, o.error) for o in report.failed]
        jobs = {o.table: o for o in report.outcomes if o.job_ids}
        assert {"fct_orders", "fct_daily_revenue", "dim_customers", "rpt_payment_methods"} <= set(jobs)
        api = JobManagerApi(cluster.url)
        names = {j["jid"]: j["name"] for j in api.jobs()}
        assert names[jobs["fct_orders"].job_ids[0]] == "shiftleft:fct_orders"
        # the streaming jobs keep running over their folders; their sinks fill as checkpoints commit
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not final_state(tmp_path / "data" / "fct_orders", ["order_id"]):
            time.sleep(1)
        assert len(final_state(tmp_path / "data" / "fct_orders", ["order_id"])) == 30
        # re-running changes nothing: every job is still live on the cluster
        again = deploy(pipelines, deployer, DeployOptions(timeout=90), target_key="it")
        assert {o.action for o in again.outcomes} == {Action.UNCHANGED} and again.ok, again.failed
        # a job cancelled behind our back is resumed, and only that one
        api.cancel(jobs["rpt_payment_methods"].job_ids[0])
        api.wait(jobs["rpt_payment_methods"].job_ids[0], frozenset({"CANCELED"}), timeout=30)
        third = deploy(pipelines, deployer, DeployOptions(timeout=90), target_key="it")
        resumed = [o.table for o in third.outcomes if o.action is Action.RESUME]
        assert resumed == ["rpt_payment_methods"] and third.ok, [
            (p.table, p.reason, api.state(p.previous_job), api.failure(p.previous_job))
            for p in third.plan
            if p.action is Action.RESUME
        ]
    finally:
        deployer.close()
        _cancel_all(cluster)


ROWS, RATE = 3000, 300  # a 10 s bounded stream


def test_taskmanager_killed_mid_run_restarts_from_checkpoint(cluster: LocalCluster, tmp_path: Path) -> None:
    sink = tmp_path / "agg"
    sink.mkdir()
    deployer = _deployer(cluster, tmp_path, interval="1 s")
    api = JobManagerApi(cluster.url)
    try:
        deployer.execute_ddl(
            "CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = "
            f"'{RATE}', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}')"
        )
        deployer.execute_ddl(
            "CREATE TABLE agg (k BIGINT, n BIGINT, s BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH "
            f"('connector' = 'filesystem', 'path' = '{sink.as_uri()}', 'format' = 'debezium-json', "
            "'sink.rolling-policy.rollover-interval' = '1 s', 'sink.rolling-policy.check-interval' = '1 s')"
        )
        job = deployer.submit("agg", "INSERT INTO agg SELECT id % 10, COUNT(*), SUM(id) FROM gen GROUP BY id % 10")
        assert api.wait(job, frozenset({"RUNNING"}), timeout=60) == "RUNNING"
        deadline = time.monotonic() + 60
        while api.checkpoints(job)["counts"]["completed"] < 2:
            assert time.monotonic() < deadline, "no checkpoint completed"
            time.sleep(0.3)
        assert api.state(job) == "RUNNING"  # mid-run: the stream lasts 10 s
        cluster.kill_taskmanager()
        cluster.start_taskmanager()
        assert api.wait(job, frozenset({"FINISHED"}), timeout=150) == "FINISHED"
        checkpoints = api.checkpoints(job)
        assert checkpoints["latest"]["restored"] is not None  # restarted from a checkpoint
    finally:
        deployer.close()
        _cancel_all(cluster)
    state = {r["k"]: (r["n"], r["s"]) for r in final_state(sink, ["k"])}
    expected = {k: (ROWS // 10, sum(i for i in range(1, ROWS + 1) if i % 10 == k)) for k in range(10)}
    assert state == expected  # no row lost, none counted twice
