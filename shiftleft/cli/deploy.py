"""The ``shiftleft deploy`` and ``shiftleft run`` subcommands (exit codes: DEPLOY_EXIT_CODES,
RUN_EXIT_CODES, shown by their --help)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from shiftleft.cli.common import exit_codes_help
from shiftleft.deploy.deployers import ConfluentDeployer, Deployer, GatewayDeployer, PyFlinkDeployer
from shiftleft.deploy.engine import (
    DeployOptions,
    DeployReport,
    PlannedTable,
    deploy,
    plan_deploy,
    read_state,
)
from shiftleft.deploy.local import run_pipelines, run_project
from shiftleft.deploy.pipelines import Pipelines, load_pipelines
from shiftleft.deploy.rest import DeployError, JobManagerApi
from shiftleft.errors import ShiftleftError
from shiftleft.flink_engine.connectors import connector_jars

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
DEPLOY_EXIT_CODES = exit_codes_help(
    "every selected table deployed (its jobs RUNNING or FINISHED) or, with --dry-run, the plan printed",
    "some table failed (its descendants skipped; the others deployed; re-run to resume)",
    "bad input or usage: not a pipelines folder, unknown --select name, unreachable target, "
    "Java / PyFlink missing",
)
RUN_EXIT_CODES = exit_codes_help(
    "every table ran and its final state is written",
    "some table failed",
    "bad input or usage: not a dbt project or pipelines folder, unreadable --input, Java / PyFlink missing",
)
DEFAULT_CLUSTER = "http://localhost:8081"


def _fail(message: str) -> int:
    print(f"shiftleft: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _settings(pairs: list[str] | None) -> dict[str, str]:
    config: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise DeployError(f"--set {pair!r}: expected KEY=VALUE (a Flink option)")
        config[key.strip()] = value.strip()
    return config


def _target_key(args: argparse.Namespace) -> str:
    if args.gateway:
        return f"gateway:{args.gateway.rstrip('/')}"
    if args.confluent:
        return f"confluent:{Path(args.confluent).resolve()}"
    return f"flink:{(args.cluster or DEFAULT_CLUSTER).rstrip('/')}"


def _confluent_profile(path: str) -> dict[str, str]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DeployError(f"--confluent {path}: cannot read the profile ({exc})") from None
    if not isinstance(data, dict):
        raise DeployError(f"--confluent {path}: the profile must be a YAML mapping")
    return {str(k): str(v) for k, v in data.items()}


def _jars(choice: str, pipelines: Pipelines) -> list[str]:
    if choice == "none":
        return []
    if choice != "auto":
        return [str(Path(j).resolve()) for j in choice.split(",") if j]
    text = " ".join(s for t in pipelines.tables.values() for s in t.ddl).lower()
    if not any(c in text for c in ("'kafka'", "'upsert-kafka'", "'jdbc'")):
        return []
    return [str(p) for p in connector_jars()]  # may download once (pip)


def make_deployer(args: argparse.Namespace, pipelines: Pipelines) -> Deployer:
    config = _settings(args.set)
    if args.gateway:
        return GatewayDeployer(args.gateway, config=config)
    if args.confluent:
        return ConfluentDeployer(_confluent_profile(args.confluent))
    return PyFlinkDeployer(args.cluster or DEFAULT_CLUSTER, jars=_jars(args.jars, pipelines), config=config)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_plan(plan: list[PlannedTable], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([p.model_dump(mode="json") for p in plan], indent=2))
        return
    rows = [[p.table, p.action.value, p.deployed_as, p.reason] for p in plan]
    print(_table(rows, ["table", "action", "deployed as", "why"]))


def print_report(report: DeployReport, fmt: str) -> None:
    if fmt == "json":
        print(report.model_dump_json(indent=2))
        return
    rows = [
        [o.table, o.deployed_as, ",".join(o.job_ids) or "-", o.state or "-", o.action.value]
        for o in report.outcomes
    ]
    print(_table(rows, ["table", "deployed as", "job id", "state", "action"]))
    for outcome in report.failed:
        print(f"FAILED {outcome.table}: {outcome.error}", file=sys.stderr)
    if report.stopped:
        print(f"stopped old jobs: {', '.join(report.stopped)}")
    print(f"{len(report.outcomes) - len(report.failed)}/{len(report.outcomes)} tables deployed in {report.seconds:.1f} s")


def _cmd_deploy(args: argparse.Namespace) -> int:
    try:
        pipelines = load_pipelines(Path(args.pipelines))
        options = DeployOptions(
            select=args.select or [], version=args.version, stop_old=args.stop_old, timeout=args.timeout
        )
        pipelines.select(options.select)  # an unknown name fails before any connection
        key = _target_key(args)
        if args.dry_run:
            live = None
            if not args.gateway and not args.confluent:
                api = JobManagerApi(args.cluster or DEFAULT_CLUSTER)
                try:
                    api.overview()
                    live = api.state
                except DeployError as exc:
                    print(f"note: {exc}; comparing with the state file only", file=sys.stderr)
            print_plan(plan_deploy(pipelines, read_state(pipelines, key), options, live), args.format)
            return EXIT_OK
        deployer = make_deployer(args, pipelines)
        try:
            report = deploy(pipelines, deployer, options, target_key=key)
        finally:
            deployer.close()
    except ShiftleftError as exc:
        return _fail(str(exc))
    print_report(report, args.format)
    return EXIT_OK if report.ok else EXIT_FAILED


def _inputs(pairs: list[str] | None) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for pair in pairs or []:
        name, sep, path = pair.partition("=")
        if not sep:
            raise DeployError(f"--input {pair!r}: expected TABLE=FILE (a .csv with a header or .jsonl)")
        found[name.strip()] = Path(path.strip())
    return found


def _cmd_run(args: argparse.Namespace) -> int:
    if not args.local:
        return _fail("run needs --local (a local cluster from the apache-flink wheel); to use a "
                     "cluster you have, migrate then `shiftleft deploy`")
    try:
        kwargs: dict[str, Any] = {"inputs": _inputs(args.input), "select": args.select, "timeout": args.timeout}
        project = Path(args.project)
        if (project / "inventory.json").is_file():
            result = run_pipelines(project, Path(args.out), **kwargs)
        else:
            result = run_project(project, Path(args.out), **kwargs)
    except ShiftleftError as exc:
        return _fail(str(exc))
    print_report(result.report, "table")
    for name, count in sorted(result.rows.items()):
        print(f"{name}: {count} rows -> {result.results_dir}/{name}.jsonl")
    return EXIT_OK if result.report.ok else EXIT_FAILED


def register(subparsers: Any) -> None:
    """Add the ``deploy`` and ``run`` subcommands to the ``shiftleft`` parser's subparsers."""
    d = subparsers.add_parser(
        "deploy",
        help="deploy a migrated pipelines folder onto Flink, parents first",
        description="Deploy a migrated pipelines folder onto Flink (a cluster, a SQL Gateway or "
        "Confluent Cloud), parents first; only what changed since the last deployment.",
        epilog=DEPLOY_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    d.add_argument("pipelines", help="the pipelines folder `shiftleft migrate --out` wrote")
    where = d.add_mutually_exclusive_group()
    where.add_argument("--cluster", metavar="URL", help=f"JobManager REST URL (default {DEFAULT_CLUSTER}); statements go through PyFlink")
    where.add_argument("--gateway", metavar="URL", help="Flink SQL Gateway REST URL (http://host:8083)")
    where.add_argument("--confluent", metavar="PROFILE", help="YAML profile of a Confluent Cloud Flink compute pool")
    d.add_argument("--dry-run", action="store_true", help="print the plan and what would change; deploy nothing")
    d.add_argument("--select", action="append", metavar="SEL", help="name, +name (with ancestors), name+ (with descendants); repeatable")
    d.add_argument("--version", type=int, metavar="N", help="blue/green: deploy changed tables and their descendants as <name>_vN next to the old ones")
    d.add_argument("--stop-old", action="store_true", help="with --version: stop the earlier versions' jobs once the new ones run")
    d.add_argument("--timeout", type=float, default=120.0, metavar="S", help="seconds to wait for each job to run (default 120)")
    d.add_argument("--jars", default="auto", metavar="auto|none|A.jar,B.jar", help="connector jars for PyFlink (auto: the Kafka/JDBC jars when a table uses them)")
    d.add_argument("--set", action="append", metavar="KEY=VALUE", help="a Flink option for every job (e.g. execution.checkpointing.interval=10s)")
    d.add_argument("--format", default="table", choices=["table", "json"])
    d.set_defaults(func=_cmd_deploy)

    r = subparsers.add_parser(
        "run",
        help="run a dbt project (or pipelines folder) on a local Flink cluster over files",
        description="Migrate a dbt project (or take a pipelines folder) and run it on a local "
        "Flink cluster with its sources bound to files; the results are written under --out.",
        epilog=RUN_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("project", help="a dbt project folder, or a pipelines folder")
    r.add_argument("--local", action="store_true", help="start a local cluster from the apache-flink wheel (required)")
    r.add_argument("--out", required=True, metavar="DIR", help="pipelines, data, logs and results go here")
    r.add_argument("--input", action="append", metavar="TABLE=FILE", help="bind a source table to a CSV (with header) or JSON-lines file")
    r.add_argument("--select", action="append", metavar="SEL", help="as for deploy")
    r.add_argument("--timeout", type=float, default=180.0, metavar="S", help="seconds to wait for each job to finish")
    r.set_defaults(func=_cmd_run)


__all__ = ["make_deployer", "register"]
