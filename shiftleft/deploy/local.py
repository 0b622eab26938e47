"""``shiftleft run PROJECT --local``: migrate a dbt project, run it on a local Flink cluster
over files, and write each table's final state.

The cluster is started from the apache-flink wheel (free ports, files under
``<out>/cluster``) and always stopped.  Every table is bound to a folder under ``<out>/data``
(:mod:`shiftleft.deploy.binding`); seeds arrive through the migrated ``INSERT ... VALUES``
jobs, other sources from the CSV / JSON-lines files the user names.  The jobs run in
streaming mode (the streaming planner: changelogs, upsert keys, watermarks) over *bounded*
file sources, one DAG level after another: each job reads what its parents committed and
finishes, so the answer is final and the run ends (an unbounded run over files would need a
quiet period to guess the end, slow on a small machine).  The final state of every sink
(changelogs compacted by primary key) is written to ``<out>/results/<table>.jsonl``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from shiftleft.deploy.binding import bind_to_files, final_state
from shiftleft.deploy.cluster import LocalCluster
from shiftleft.deploy.deployers import PyFlinkDeployer
from shiftleft.deploy.engine import DeployOptions, DeployReport, deploy
from shiftleft.deploy.pipelines import Pipelines, load_pipelines
from shiftleft.migration import migrate

log = logging.getLogger(__name__)

#: Flink options of every job of a local run.  File sinks commit on checkpoints.  A keyed
#: table's file is read back as changes by key: its sink may write upserts (an update as a
#: bare new row, "op": "c", when the query's upsert key is the table's key), which the
#: debezium-json source would read as inserts; with cdc-events-duplicate the planner
#: normalizes every keyed CDC source by its primary key (a row for a known key replaces it).
JOB_CONFIG = {
    "execution.checkpointing.interval": "1 s",
    "table.exec.source.cdc-events-duplicate": "true",
}


class LocalRun(BaseModel):
    pipelines_dir: str
    results_dir: str
    report: DeployReport
    rows: dict[str, int] = Field(default_factory=dict)
    """Rows in each table's final state."""


def _key(pipelines: Pipelines, name: str) -> list[str] | None:
    key = pipelines.tables[name].primary_key
    return list(key) if key else None


def write_results(pipelines: Pipelines, data_dir: Path, results_dir: Path) -> dict[str, int]:
    """Each table's final state as sorted JSON lines; the row counts."""
    results_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, spec in sorted(pipelines.tables.items()):
        if not spec.dml:
            continue
        rows = final_state(data_dir / name, _key(pipelines, name))
        lines = sorted(json.dumps(r, sort_keys=True) for r in rows)
        (results_dir / f"{name}.jsonl").write_text("".join(x + "\n" for x in lines), encoding="utf-8")
        counts[name] = len(rows)
    return counts


def read_results(results_dir: Path) -> dict[str, list[dict]]:
    """The final states :func:`write_results` wrote, by table."""
    return {
        path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for path in sorted(Path(results_dir).glob("*.jsonl"))
    }


def run_pipelines(
    pipelines_dir: Path,
    out: Path,
    *,
    inputs: dict[str, Path] | None = None,
    select: list[str] | None = None,
    timeout: float = 180.0,
    cluster_url: str | None = None,
) -> LocalRun:
    """Run a pipelines folder on a fresh local cluster (or on the running cluster at
    ``cluster_url``, left running); results under ``out/results``.

    The jobs of one DAG level run side by side; the next level starts once they finished."""
    out = Path(out).resolve()
    data_dir, results_dir = out / "data", out / "results"
    for d in (data_dir, results_dir, out / "checkpoints"):
        shutil.rmtree(d, ignore_errors=True)
    pipelines = load_pipelines(pipelines_dir)
    bound = bind_to_files(pipelines, data_dir, monitor=None, inputs=inputs)
    config = {**JOB_CONFIG, "execution.checkpointing.dir": (out / "checkpoints").as_uri()}
    (Path(pipelines_dir) / ".shiftleft" / "deploy-state.json").unlink(missing_ok=True)
    options = DeployOptions(
        select=select or [], timeout=timeout, wait_states=frozenset({"FINISHED"}), by_level=True
    )
    with contextlib.ExitStack() as stack:
        if cluster_url is None:
            cluster_url = stack.enter_context(LocalCluster(out / "cluster")).url
        deployer = PyFlinkDeployer(cluster_url, config=config)
        try:
            report = deploy(bound, deployer, options, target_key="local")
        finally:
            deployer.close()
    rows = write_results(bound, data_dir, results_dir)
    return LocalRun(
        pipelines_dir=str(pipelines_dir), results_dir=str(results_dir), report=report, rows=rows
    )


def run_project(project: Path, out: Path, **kwargs: object) -> LocalRun:
    """Migrate ``project`` to ``out/pipelines``, then :func:`run_pipelines`."""
    pipelines_dir = Path(out).resolve() / "pipelines"
    migrate(project, pipelines_dir)
    return run_pipelines(pipelines_dir, out, **kwargs)  # type: ignore[arg-type]


__all__ = ["LocalRun", "read_results", "run_pipelines", "run_project", "write_results"]
