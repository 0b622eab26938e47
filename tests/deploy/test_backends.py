"""The SQL Gateway backend against a fake gateway on 127.0.0.1 (the gateway jar is not in the
apache-flink wheel, so no real gateway runs here), the Confluent Cloud profile against a
recorded request shape (no network), and the deploy CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fakes import FakeDeployer, FakeGateway

from shiftleft.cli import main
from shiftleft.deploy import DeployOptions, deploy, load_pipelines
from shiftleft.deploy.deployers import ConfluentDeployer, GatewayDeployer
from shiftleft.deploy.rest import DeployError

RECORDED = json.loads((Path(__file__).parent / "recorded" / "confluent_statement.json").read_text())
PROFILE = {
    "organization_id": "7c60d51f-b44e-4682-87d6-449835ea4de6",
    "environment_id": "env-z3q9rd",
    "compute_pool_id": "lfcp-abc",
    "region": "us-east-1",
    "cloud": "aws",
    "catalog": "my_environment",
    "database": "my_kafka_cluster",
    "principal": "sa-abc123",
}


def _shape(value: object) -> object:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if not k.startswith("_")}
    return type(value).__name__


def test_gateway_backend_deploys_in_order_and_reports_failures(pipelines_copy: Path) -> None:
    p = load_pipelines(pipelines_copy)
    with FakeGateway() as gw:
        deployer = GatewayDeployer(gw.url)
        report = deploy(p, deployer, DeployOptions(), target_key="gw")
        assert report.ok, report.failed
        inserts = [s.split()[2] for s in gw.statements if s.startswith("INSERT")]
        assert inserts == [n for n in p.order() if p.tables[n].dml]
        # every table's DDL comes before the first INSERT reading it
        first = {s.split()[2]: i for i, s in reversed(list(enumerate(gw.statements))) if s.startswith("CREATE")}
        for i, s in enumerate(gw.statements):
            if s.startswith("INSERT"):
                for parent in p.tables[s.split()[2]].parents:
                    assert first[parent] < i
        assert {"pipeline.name": "shiftleft:fct_orders"} in gw.configs
        jobs = {o.table: o.job_ids[0] for o in report.outcomes if o.job_ids}
        assert all(gw.jobs[j] == "RUNNING" for j in jobs.values())
        deployer.cancel(jobs["fct_orders"])
        assert gw.jobs[jobs["fct_orders"]] == "CANCELED"
        assert deployer.state(jobs["fct_orders"]) == "CANCELED"
        with pytest.raises(DeployError, match="FAIL_ME"):
            deployer.execute_ddl("CREATE TABLE FAIL_ME (a INT)")
        deployer.close()
        assert not gw.sessions


def test_gateway_cli_table_and_exit_codes(pipelines_copy: Path, capsys: pytest.CaptureFixture) -> None:
    with FakeGateway() as gw:
        assert main(["deploy", str(pipelines_copy), "--gateway", gw.url, "--select", "+fct_orders"]) == 0
        out = capsys.readouterr().out
        assert re.search(r"^fct_orders\s+fct_orders\s+[0-9a-f]{32}\s+RUNNING", out, re.M)
        assert "raw_payments" in out and "fct_daily_revenue" not in out
        assert main(["deploy", str(pipelines_copy), "--gateway", gw.url, "--dry-run"]) == 0
        plan = capsys.readouterr().out
        assert re.search(r"^fct_orders\s+unchanged", plan, re.M)
        assert re.search(r"^fct_daily_revenue\s+create", plan, re.M)
        dml = next(pipelines_copy.rglob("dml.rpt_payment_methods.sql"))
        dml.write_text(dml.read_text().replace("SELECT", "SELECT /* FAIL_ME */", 1))
        assert main(["deploy", str(pipelines_copy), "--gateway", gw.url]) == 1
        err = capsys.readouterr().err
        assert "FAILED rpt_payment_methods" in err and "FAIL_ME" in err
    assert main(["deploy", str(pipelines_copy), "--select", "nope"]) == 2
    assert "no table named 'nope'" in capsys.readouterr().err
    assert main(["deploy", str(pipelines_copy / "sources"), "--dry-run"]) == 2


def test_confluent_profile_requests_match_the_recorded_shape(pipelines_copy: Path) -> None:
    sent: list[tuple[str, str, object]] = []

    def transport(method: str, url: str, body: object) -> object:
        sent.append((method, url, body))
        return {**RECORDED["status_answer"], "status": {"phase": "RUNNING"}}

    confluent = ConfluentDeployer(PROFILE, transport=transport)
    p = load_pipelines(pipelines_copy)
    report = deploy(p, confluent, DeployOptions(), target_key="cc")
    assert report.ok
    posts = [(u, b) for m, u, b in sent if m == "POST"]
    base = RECORDED["url"].replace("7c60d51f-b44e-4682-87d6-449835ea4de6", PROFILE["organization_id"])
    assert all(u == base for u, _ in posts)
    assert all(_shape(b) == _shape(RECORDED["body"]) for _, b in posts)
    names = [b["name"] for _, b in posts]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", n) and len(n) <= 100 for n in names)
    # the same plan as any other target: DML in DAG order
    fake = FakeDeployer()
    deploy(load_pipelines(pipelines_copy), fake, DeployOptions(), target_key="other")
    inserts = [b["spec"]["statement"].split()[2] for _, b in posts if b["spec"]["statement"].startswith("INSERT")]
    assert inserts == [t for t, _ in fake.jobs.values()]
    with pytest.raises(DeployError, match="lacks compute_pool_id"):
        ConfluentDeployer({**PROFILE, "compute_pool_id": ""})


def test_the_wheel_ships_no_sql_gateway_jar() -> None:
    """Why GatewayDeployer is tested against tests/deploy/fakes.py: ``bin/sql-gateway.sh`` needs
    ``opt/flink-sql-gateway*.jar`` (class org.apache.flink.table.gateway.SqlGateway), which
    apache-flink / apache-flink-libraries 2.3.0 do not ship (``lib/`` has only the gateway's API
    classes).  When a wheel ships it, this fails: then start the real gateway in the tests."""
    import zipfile

    from shiftleft.deploy.cluster import flink_home

    home = flink_home()
    assert (home / "bin" / "sql-gateway.sh").is_file()
    assert list((home / "opt").glob("flink-sql-gateway*.jar")) == []
    jars = [*home.glob("lib/*.jar"), *home.glob("opt/*.jar")]
    assert not any(
        "org/apache/flink/table/gateway/SqlGateway.class" in zipfile.ZipFile(j).namelist() for j in jars
    )
