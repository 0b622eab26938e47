"""Build a dbt project with the real dbt (dbt-core + dbt-duckdb) into a DuckDB file: the batch
answer ``verify --streaming`` compares the streaming run with.

The project is never built in place: it is copied (without ``target/``, ``logs/``, DuckDB
files or its own ``profiles.yml``) into a work folder, given a ``profiles.yml`` with one
duckdb target writing ``<work>/<profile>.duckdb``, and built with ``dbt build --full-refresh``
(seeds, models, snapshots and tests) in a subprocess: dbt keeps global state, and a failing
project must not take the caller down.  Nothing goes over the network: packages must already
be in the project's ``dbt_packages/``, version checks and usage statistics are off.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.errors import InputError, ShiftleftEnvironmentError

log = logging.getLogger(__name__)

#: what a copy leaves out: outputs of earlier runs made in place
RUN_ARTIFACTS = ("target", "logs", "*.duckdb", "*.duckdb.wal", ".user.yml", "profiles.yml")
DBT_TIMEOUT = 900.0


class DbtNode(BaseModel):
    unique_id: str
    relation: str | None = None
    """``"db"."schema"."identifier"`` as dbt-duckdb names it (None for ephemeral models)."""
    materialized: str | None = None
    status: str = "not run"
    """dbt's status for the node: success, error, skipped (tests: pass, fail, warn, error)."""
    message: str | None = None


class DbtBuild(BaseModel):
    """What ``dbt build`` made: the DuckDB file and, per node, its relation and status."""

    project_dir: str
    database: str
    nodes: dict[str, DbtNode] = Field(default_factory=dict)
    ok: bool = True
    log_tail: str = ""


def profile_name(project_dir: Path) -> str:
    config_path = Path(project_dir) / "dbt_project.yml"
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{config_path}: cannot read ({exc})") from None
    return str(config.get("profile") or config.get("name") or "default")


def write_profiles(project_dir: Path, database: Path) -> Path:
    """A ``profiles.yml`` in ``project_dir``: one duckdb target on ``database``, schema main."""
    profile = profile_name(project_dir)
    target = {"type": "duckdb", "path": str(database), "schema": "main", "threads": 1}
    profiles = {profile: {"target": "dev", "outputs": {"dev": target}}}
    path = Path(project_dir) / "profiles.yml"
    path.write_text(yaml.safe_dump(profiles, sort_keys=False), encoding="utf-8")
    return path


def build(project: Path, work: Path, *, vars: dict[str, Any] | None = None) -> DbtBuild:
    """Copy ``project`` to ``work/project`` and ``dbt build`` it into ``work/<profile>.duckdb``.

    A project whose nodes fail still returns: each node carries dbt's status and message.
    Raises :class:`ShiftleftEnvironmentError` when dbt-duckdb is not installed.
    """
    if importlib.util.find_spec("dbt") is None or importlib.util.find_spec("dbt.adapters.duckdb") is None:
        raise ShiftleftEnvironmentError("verify --streaming needs dbt-core and dbt-duckdb: pip install dbt-duckdb")
    project = Path(project).resolve()
    if not (project / "dbt_project.yml").is_file():
        raise InputError(f"{project} is not a dbt project (no dbt_project.yml)")
    work = Path(work).resolve()
    copy = work / "project"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(*RUN_ARTIFACTS))
    database = work / f"{profile_name(copy)}.duckdb"
    write_profiles(copy, database)
    common = [
        "--full-refresh",
        "--project-dir", str(copy), "--profiles-dir", str(copy),
        "--target-path", str(copy / "target"), "--log-path", str(copy / "logs"),
        "--no-partial-parse", "--no-version-check", "--no-send-anonymous-usage-stats",
        "--no-use-colors",
    ]  # fmt: skip
    if vars:
        common += ["--vars", json.dumps(vars)]
    # seeds first: a project's sources often name its seeds, and a source is no dependency in
    # dbt's DAG, so a lone `dbt build` may run a model before the seed it reads is loaded
    statuses: dict[str, tuple[str, str | None]] = {}
    seeded, seed_output = _dbt(copy, ["seed", *common], statuses)
    # data tests are left out: they check, build nothing, and a failing one would skip the
    # models downstream of it (the comparison needs every table)
    built, output = _dbt(copy, ["build", "--exclude", "resource_type:seed", "resource_type:test", *common], statuses)
    nodes = _nodes(copy / "target", statuses)
    if not nodes:
        raise ShiftleftEnvironmentError(f"dbt build of {project} produced no manifest: {(seed_output + output)[-2000:]}")
    return DbtBuild(
        project_dir=str(copy),
        database=str(database),
        nodes=nodes,
        ok=seeded and built,
        log_tail="\n".join((seed_output + "\n" + output).splitlines()[-30:]),
    )


def _dbt(project: Path, args: list[str], statuses: dict[str, tuple[str, str | None]]) -> tuple[bool, str]:
    """Run dbt in a subprocess; record each node's status from run_results.json."""
    command = [sys.executable, "-c", "import sys; from dbt.cli.main import cli; sys.argv[0] = 'dbt'; cli()", *args]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    try:
        done = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=DBT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ShiftleftEnvironmentError(f"dbt {args[0]} did not end within {DBT_TIMEOUT:.0f} s") from None
    log.info("dbt %s in %s: exit %s", args[0], project, done.returncode)
    try:
        results = json.loads((project / "target" / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    for result in results.get("results", []):
        statuses[str(result.get("unique_id"))] = (str(result.get("status")), result.get("message"))
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def _nodes(target: Path, statuses: dict[str, tuple[str, str | None]]) -> dict[str, DbtNode]:
    try:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    nodes: dict[str, DbtNode] = {}
    for uid, node in manifest.get("nodes", {}).items():
        status, message = statuses.get(uid, ("not run", None))
        nodes[uid] = DbtNode(
            unique_id=uid,
            relation=node.get("relation_name"),
            materialized=(node.get("config") or {}).get("materialized"),
            status=status,
            message=message,
        )
    return nodes


def read_relation(database: Path | str, relation: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names and rows of a relation of the DuckDB file (opened read-only)."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        query = exp.select("*").from_(exp.to_table(relation, dialect="duckdb"))
        cursor = con.execute(query.sql(dialect="duckdb"))
        columns = [c[0] for c in cursor.description]
        return columns, cursor.fetchall()


__all__ = ["DbtBuild", "DbtNode", "build", "profile_name", "read_relation", "write_profiles"]
