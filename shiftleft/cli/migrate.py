"""The ``shiftleft migrate`` subcommand: a dbt project to a Kimball folder of Flink pipelines.

Every table is planned on the embedded Flink 2.3 when it can run here (PyFlink, Java 17, the
connector jars), so `translated` means the planner accepts it; otherwise an SL5025 warning says
the statuses are the static rules' verdict (--plan requires the planner, --no-plan skips it).

Exit codes: 0 every table translated (and accepted by the planner when planned); 1 some tables
failed, need the LLM, or were rejected by the planner (see the report); 2 bad input or usage
(not a dbt project, unreadable YAML, bad option, Java / PyFlink missing for --plan).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import yaml

from shiftleft.cli.common import (
    EXIT_DIAGNOSTICS,
    EXIT_OK,
    UsageError,
    add_functions_argument,
    add_llm_arguments,
    fail,
    llm_config,
)
from shiftleft.errors import ShiftleftError
from shiftleft.migration import migrate
from shiftleft.options import MigrateOptions

_STATUS_ORDER = ("failed", "needs_llm", "blocked", "llm", "translated", "declared", "inlined")


class ProgressBar:
    """A one-line progress bar on a terminal (nothing when ``stream`` is not a TTY)."""

    def __init__(self, stream: TextIO, *, enabled: bool | None = None, width: int = 30) -> None:
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.width = width

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled or total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {name[:40]:<40}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

    def count(self, done: int, label: str) -> None:
        """A counter without a known total (one line, rewritten)."""
        if self.enabled:
            self.stream.write(f"\r{done} {label[:60]:<60}")
            self.stream.flush()

    def end(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _vars(text: str | None) -> dict[str, Any] | None:
    """``--vars '{key: value}'``: YAML (or JSON), like ``dbt --vars``."""
    if text is None:
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise UsageError(f"--vars: not YAML / JSON: {e}") from None
    if not isinstance(data, dict):
        raise UsageError("--vars expects a mapping, e.g. --vars '{start_date: 2024-01-01}'")
    return data


def _summary(result: Any, out: TextIO) -> None:
    counts = result.counts()
    parts = [f"{counts[s]} {s.replace('_', ' ')}" for s in _STATUS_ORDER if counts.get(s)]
    checked = "planned on Flink 2.3" if result.planned else "static checks only"
    print(
        f"{result.project}: {len(result.tables)} tables ({checked}): {', '.join(parts)}",
        file=out,
    )
    for table in sorted(result.tables, key=lambda t: (_STATUS_ORDER.index(t.status.value), t.name)):
        for d in table.errors:
            # render errors point into the model file; the others into its rendered SQL
            where = table.source_file or table.name
            print(d.format(where if d.rule_id == "SL5001" else f"{where} (rendered)"), file=out)
    for d in result.diagnostics:
        print(d.format(result.project), file=out)
    if result.out_dir:
        kept = [f.path for f in result.files if f.action.value == "kept"]
        written = sum(1 for f in result.files if f.action.value == "written")
        print(
            f"wrote {written} files to {result.out_dir} (report: migration_report.html)", file=out
        )
        if kept:
            print(
                f"kept {len(kept)} files edited since the last migration (rerun with --force to "
                f"overwrite): {', '.join(kept)}",
                file=out,
            )


def _plan_printer(stream: TextIO) -> Any:
    """``--plan``: one line per table on ``stream``: what was planned and the verdict."""

    def show(table: Any, plan: Any) -> None:
        what = "+".join(plan.planned)
        if plan.ok:
            verdict = "accepted"
        else:
            first = plan.errors[0].message.splitlines()[0][:160]
            verdict = f"rejected ({len(plan.errors)}): {first}"
        stream.write(f"plan {table.name} [{what}]: {verdict}\n")
        stream.flush()

    return show


def _plan_progress(progress: ProgressBar) -> Any:
    """The default planning: the progress bar, counting the tables planned."""
    done = 0

    def show(table: Any, plan: Any) -> None:
        nonlocal done
        done += 1
        progress.count(done, f"planned on Flink: {table.name}")

    return show


def _cmd_migrate(args: argparse.Namespace) -> int:
    try:
        variables = _vars(args.vars)
    except UsageError as e:
        return fail(str(e))
    progress = ProgressBar(sys.stderr, enabled=args.progress)
    try:
        options = MigrateOptions.of(
            read=args.read,
            target=args.target,
            mode=args.mode,
            vars=variables,
            layout=args.layout,
            catalog=args.catalog,
            force=args.force,
            jobs=args.jobs,
            rules=args.rules,
            disable=args.disable or (),
            llm=llm_config(args),
            functions=args.functions,
            progress=progress,
            plan=args.plan,
            on_plan=_plan_printer(sys.stderr) if args.plan else _plan_progress(progress),
        )
        result = migrate(args.project, args.out, options)
    except ShiftleftError as e:
        return fail(str(e))
    if result.planned and not args.plan:
        progress.end()
    if args.format == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        _summary(result, sys.stdout)
    return EXIT_OK if result.ok else EXIT_DIAGNOSTICS


def register(subparsers: Any) -> None:
    """Add the ``migrate`` subcommand to the ``shiftleft`` parser's subparsers."""
    m = subparsers.add_parser(
        "migrate",
        help="migrate a dbt project (or a compiled manifest.json) to Flink pipelines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    m.add_argument(
        "project", help="dbt project folder (with dbt_project.yml), or a target/manifest.json"
    )
    m.add_argument(
        "--out", metavar="DIR", help="write the pipelines folder here (default: write nothing)"
    )
    m.add_argument(
        "--read", help="dialect of the models (default: the profile's adapter, else spark)"
    )
    m.add_argument("--target", default="flink", choices=["flink", "confluent"])
    m.add_argument("--mode", default="streaming", choices=["streaming", "batch"])
    m.add_argument("--vars", metavar="YAML", help="dbt variables, as dbt --vars: '{key: value}'")
    m.add_argument(
        "--layout",
        metavar="FILE",
        help="shiftleft.yml with a layout: section (default: the project's)",
    )
    m.add_argument(
        "--catalog",
        metavar="FILE",
        help="dbt's catalog.json (dbt docs generate): column lists and types the properties "
        "files do not declare (default: the project's target/catalog.json when present)",
    )
    m.add_argument(
        "--force", action="store_true", help="overwrite files edited since the last migration"
    )
    m.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes for large projects (default: CPUs)"
    )
    m.add_argument(
        "--plan",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="plan every DDL / DML on the embedded Flink 2.3, one line per table on stderr "
        "(default: planned when PyFlink, Java and the connector jars are here, silently; "
        "--no-plan: static checks only)",
    )
    m.add_argument(
        "--rules", action="append", metavar="DIR", help="extra rule pack directory (repeatable)"
    )
    m.add_argument(
        "--disable",
        action="append",
        metavar="ID",
        help="rule id or name to switch off (repeatable)",
    )
    add_llm_arguments(m)
    add_functions_argument(m)
    m.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")  # fmt: skip
    m.add_argument("--format", default="text", choices=["text", "json"],
                   help="text: a summary and the errors; json: the full result")  # fmt: skip
    m.set_defaults(func=_cmd_migrate)


__all__ = ["ProgressBar", "register"]
