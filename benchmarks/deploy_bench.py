"""Deploy a generated 50-model dbt project, migrated, onto a real local Flink cluster.

    .venv/bin/python benchmarks/deploy_bench.py [--models 50] [--out /tmp/deploy-bench]

Starts a standalone cluster from the apache-flink wheel (not timed), migrates a
``project_gen.py`` project, binds its tables to files (no Kafka broker here: the filesystem
connector, unbounded sources watching their folders, checkpoints every 10 s) and times
``shiftleft.deploy.deploy``: every table's DDL then DML in DAG order, each streaming job
waited for until RUNNING (with ``--by-level``: the jobs of one DAG level submitted together,
all RUNNING before the next level).  Target: 50 tables in <= 2 minutes on 2 cores.  Prints the time,
the tables per outcome and the jobs the cluster runs; stops the cluster.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from project_gen import generate_project

from shiftleft.deploy import DeployOptions, deploy, load_pipelines
from shiftleft.deploy.binding import bind_to_files
from shiftleft.deploy.cluster import LocalCluster
from shiftleft.deploy.deployers import PyFlinkDeployer
from shiftleft.migration import migrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("/tmp/shiftleft-deploy-bench"))
    parser.add_argument("--by-level", action="store_true",
                        help="submit a whole DAG level, then wait for its jobs (DeployOptions.by_level)")
    args = parser.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    project = generate_project(args.out / "project", args.models)
    t0 = time.perf_counter()
    result = migrate(project, args.out / "pipelines", read="spark")
    print(f"migrate: {len(result.tables)} tables in {time.perf_counter() - t0:.1f} s")
    pipelines = bind_to_files(load_pipelines(args.out / "pipelines"), args.out / "data")
    with LocalCluster(args.out / "cluster") as cluster:
        config = {
            "execution.checkpointing.interval": "10 s",
            "execution.checkpointing.dir": (args.out / "checkpoints").as_uri(),
        }
        t0 = time.perf_counter()
        deployer = PyFlinkDeployer(cluster.url, config=config)
        session = time.perf_counter() - t0
        report = deploy(pipelines, deployer, DeployOptions(timeout=120, by_level=args.by_level))
        total = time.perf_counter() - t0
        jobs = sum(len(o.job_ids) for o in report.outcomes)
        states = collections.Counter(o.state or "-" for o in report.outcomes)
        print(f"deploy: {len(report.outcomes)} tables ({jobs} jobs) in {total:.1f} s "
              f"(session {session:.1f} s); states {dict(states)}")
        for outcome in report.failed:
            print(f"  FAILED {outcome.table}: {outcome.error[:300]}")
        print(f"cluster: {cluster.overview()}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
