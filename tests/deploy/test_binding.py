"""File binding (no cluster): connector options replaced, changelog compaction, inputs; the
generated 50-model project planned and deployed in DAG order (in memory; on the real
cluster it is benchmarks/deploy_bench.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import sqlglot
from fakes import FakeDeployer

from shiftleft.deploy import DeployOptions, deploy, load_pipelines
from shiftleft.deploy.binding import bind_to_files, final_state, write_input
from shiftleft.migration import migrate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from project_gen import generate_project


def _options(statement: str) -> dict[str, str]:
    tree = sqlglot.parse_one(statement, read="flink")
    return {p.this.this: p.args["value"].this for p in tree.args["properties"].expressions}


def test_binding_replaces_connectors_and_drops_on_conflict(shop_pipelines: Path, tmp_path: Path) -> None:
    bound = bind_to_files(load_pipelines(shop_pipelines), tmp_path, monitor=None)
    fct = bound.tables["fct_orders"]
    options = _options(fct.ddl[0])
    assert options["connector"] == "filesystem" and options["format"] == "debezium-json"
    assert options["path"] == (tmp_path / "fct_orders").as_uri()
    assert "ON CONFLICT" not in fct.dml[0].upper()
    assert _options(bound.tables["raw_orders"].ddl[0])["format"] == "json"  # append-only seed
    assert bound.tables["stg_orders"].ddl == load_pipelines(shop_pipelines).tables["stg_orders"].ddl


def test_final_state_applies_changes_in_write_order(tmp_path: Path) -> None:
    lines = [
        {"before": None, "after": {"k": 1, "n": 1}, "op": "c"},
        {"before": {"k": 1, "n": 1}, "after": None, "op": "d"},
        {"before": None, "after": {"k": 1, "n": 2}, "op": "c"},
        {"before": None, "after": {"k": 2, "n": 1}, "op": "c"},
    ]
    (tmp_path / "part-a-0-0").write_text("".join(json.dumps(x) + "\n" for x in lines))
    (tmp_path / ".part-b-0-1.inprogress").write_text(json.dumps(lines[1]) + "\n")  # not committed
    assert sorted(final_state(tmp_path, ["k"]), key=lambda r: r["k"]) == [{"k": 1, "n": 2}, {"k": 2, "n": 1}]
    assert sorted(final_state(tmp_path, None), key=lambda r: r["k"]) == [{"k": 1, "n": 2}, {"k": 2, "n": 1}]


def test_csv_input_becomes_json_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,name\n1,a\n2,\n")
    assert write_input(source, tmp_path / "out.json", debezium=False) == 2
    rows = [json.loads(x) for x in (tmp_path / "out.json").read_text().splitlines()]
    assert rows == [{"id": "1", "name": "a"}, {"id": "2", "name": None}]


def test_generated_50_model_project_deploys_in_dag_order(tmp_path: Path) -> None:
    project = generate_project(tmp_path / "project", 50)
    # the order of the folder, not the planner's verdicts (plan=False: the files are the same)
    result = migrate(project, tmp_path / "pipelines", read="spark", plan=False)
    pipelines = load_pipelines(tmp_path / "pipelines")
    # the folder lists exactly the tables the migration wrote, with their parents
    assert set(pipelines.tables) == {t.name for t in result.tables if t.path is not None}
    fake = FakeDeployer()
    report = deploy(pipelines, fake, DeployOptions())
    assert report.ok, report.failed
    position = {t: i for i, (t, _) in enumerate(fake.jobs.values())}
    for name, index in position.items():
        for parent in pipelines.ancestors(name):
            assert position.get(parent, -1) < index
