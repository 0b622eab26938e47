"""``shiftleft verify --streaming PROJECT --out DIR``: run a dbt project's migrated pipelines on a
local Flink cluster and compare each table's final state with the table dbt-duckdb builds
from the same seeds (:mod:`shiftleft.deploy.streaming_verify`).

Exit codes: 0 every compared table equal, or different for a reason shiftleft reports; 1 a
table differs unexplained, a streaming job failed, or no table could be compared (or, with
--fail-on warning, any difference); 2 bad input or usage (not a dbt project, no --out, Java /
PyFlink / dbt-duckdb missing).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shiftleft.cli.common import EXIT_DIAGNOSTICS, EXIT_OK, UsageError, fail, parse_vars
from shiftleft.deploy.streaming_verify import Verdict, verify_streaming
from shiftleft.errors import ShiftleftError


def cmd_verify_streaming(args: argparse.Namespace) -> int:
    project = Path(args.file)
    if not (project / "dbt_project.yml").is_file():
        return fail(f"verify --streaming: {project} is not a dbt project folder (no dbt_project.yml)")
    if not args.out:
        return fail("verify --streaming needs --out DIR (pipelines, cluster logs, results and dbt's build go there)")
    try:
        variables = parse_vars(args.vars)
    except UsageError as e:
        return fail(e)
    try:
        report = verify_streaming(
            project, Path(args.out), cluster_url=args.cluster, timeout=args.timeout, read=args.read, vars=variables
        )
    except ShiftleftError as e:
        return fail(e)
    if args.format == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(report.format())
    differs = any(t.verdict is Verdict.DIFFERS for t in report.tables)
    if not report.ok or (differs and getattr(args, "fail_on", "error") == "warning"):
        return EXIT_DIAGNOSTICS
    return EXIT_OK


def add_streaming_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("--streaming (FILE is a dbt project folder with seeds)")
    group.add_argument("--streaming", action="store_true",
                       help="run the migrated project on a local Flink cluster and compare every table "
                            "with what dbt-duckdb builds from the same seeds")
    group.add_argument("--out", metavar="DIR", help="with --streaming: where pipelines, logs, results and dbt's build go")
    group.add_argument("--cluster", metavar="URL", help="with --streaming: run on this running cluster instead of starting one")
    group.add_argument("--timeout", type=float, default=180.0, metavar="S", help="with --streaming: seconds per job")
    group.add_argument("--vars", metavar="YAML", help="with --streaming: dbt variables, as dbt --vars '{key: value}' "
                       "(for the migration and dbt's build alike)")


__all__ = ["add_streaming_arguments", "cmd_verify_streaming"]
