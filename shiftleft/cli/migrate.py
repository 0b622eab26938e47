"""The ``shiftleft migrate`` subcommand: a dbt project to a Kimball folder of Flink pipelines.

Every model becomes a table folder (DDL + DML); a model that fails (Jinja error, unreadable
SQL, a construct no rule translates, rejected by the planner) is reported with its file and
code and the others are still migrated.  The summary goes to stdout, progress (and, with
--plan, each table's planner verdict) to stderr.

Every table is planned on the embedded Flink 2.3 when it can run here (PyFlink, Java 17, the
connector jars), so `translated` means the planner accepts it; otherwise an SL5025 warning says
the statuses are the static rules' verdict (--plan requires the planner, --no-plan skips it).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, TextIO

from shiftleft.cli.common import (
    EXIT_DIAGNOSTICS,
    EVENT_TIME_HELP,
    EXIT_OK,
    UsageError,
    add_fail_on,
    add_functions_argument,
    add_llm_arguments,
    add_progress,
    exit_codes_help,
    fail,
    llm_config,
    parse_event_time,
    parse_vars,
)
from shiftleft.errors import ShiftleftError
from shiftleft.migration import migrate
from shiftleft.options import MigrateOptions

#: ``shiftleft migrate --help``: its exit codes
EXIT_CODES = exit_codes_help(
    "every table translated (and accepted by the planner, when planned); no warnings, with "
    "--fail-on warning",
    "some table failed, needs the LLM, or was rejected by the planner (the summary names it "
    "and why), or a project error; also any warning, with --fail-on warning",
    "bad input or usage: not a dbt project, unreadable dbt_project.yml, bad option, unsafe "
    "--out, Java / PyFlink missing for --plan",
)

_STATUS_ORDER = ("failed", "needs_llm", "blocked", "llm", "translated", "declared", "inlined")


class ProgressBar:
    """A one-line progress bar on a terminal (nothing when ``stream`` is not a TTY, unless
    forced), shown once the run has taken ``after_s`` seconds."""

    def __init__(self, stream: TextIO, *, enabled: bool | None = None, width: int = 30, after_s: float = 1.0) -> None:
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.width = width
        self.start, self.after_s = time.monotonic(), after_s
        self.shown = False

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.enabled or total <= 0 or time.monotonic() - self.start < self.after_s:
            return
        self.shown = done < total
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {name[:40]:<40}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

    def count(self, done: int, label: str) -> None:
        """A counter without a known total (one line, rewritten)."""
        if self.enabled and time.monotonic() - self.start >= self.after_s:
            self.shown = True
            self.stream.write(f"\r{done} {label[:60]:<60}")
            self.stream.flush()

    def end(self) -> None:
        if self.enabled and self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _warnings(result: Any) -> list[tuple[str, Any]]:
    """(where, diagnostic) of every warning of the migration: tables' and the project's."""
    found = [
        (table.source_file or table.name, d)
        for table in sorted(result.tables, key=lambda t: t.name)
        for d in table.diagnostics
        if d.severity.value == "warning"
    ]
    return found + [(result.project, d) for d in result.diagnostics if d.severity.value == "warning"]


def _exit_code(result: Any, fail_on: str) -> int:
    """EXIT_OK or EXIT_DIAGNOSTICS under ``--fail-on`` (see EXIT_CODES)."""
    if not result.ok or (fail_on == "warning" and _warnings(result)):
        return EXIT_DIAGNOSTICS
    return EXIT_OK


def _summary(result: Any, out: TextIO, *, warnings: bool = False) -> None:
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
    found = [(where, d) for where, d in _warnings(result) if d not in result.diagnostics]
    if warnings:  # --fail-on warning: the tables' warnings fail the run, so show them
        for where, d in found:
            print(d.format(f"{where} (rendered)"), file=out)
    elif found:
        print(f"{len(found)} warnings on tables (shown with --fail-on warning; all in --format json)", file=out)
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


class PlanPrinter:
    """``--plan``: one line per table on ``stream`` as it is planned (which statements were
    planned, and Flink's verdict), then one for each table that had nothing to plan."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown: set[str] = set()

    def __call__(self, table: Any, plan: Any) -> None:
        what = "+".join(plan.planned)
        if plan.ok:
            verdict = "accepted"
        else:
            first = plan.errors[0].message.splitlines()[0][:160]
            verdict = f"rejected ({len(plan.errors)}): {first}"
        self.shown.add(table.unique_id)
        self.stream.write(f"plan {table.name} [{what}]: {verdict}\n")
        self.stream.flush()

    def rest(self, result: Any) -> None:
        """A line for every table that was not planned, and why."""
        for table in sorted(result.tables, key=lambda t: t.name):
            if table.unique_id in self.shown:
                continue
            why = {"inlined": "ephemeral: inlined into the tables reading it"}.get(
                table.status.value, f"{table.status.value.replace('_', ' ')}: no DDL or DML to plan"
            )
            self.stream.write(f"plan {table.name}: not planned ({why})\n")
        self.stream.flush()


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
        variables = parse_vars(args.vars)
        event_time = parse_event_time(args.event_time)
    except UsageError as e:
        return fail(e)
    progress = ProgressBar(sys.stderr, enabled=args.progress)
    plans = PlanPrinter(sys.stderr) if args.plan else None
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
            on_plan=plans if plans is not None else _plan_progress(progress),
            event_time=event_time,
        )
        result = migrate(args.project, args.out, options)
    except ShiftleftError as e:
        return fail(e)
    if plans is not None:
        plans.rest(result)
    elif result.planned:
        progress.end()
    if args.format == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        _summary(result, sys.stdout, warnings=args.fail_on == "warning")
    return _exit_code(result, args.fail_on)


def register(subparsers: Any) -> None:
    """Add the ``migrate`` subcommand to the ``shiftleft`` parser's subparsers."""
    m = subparsers.add_parser(
        "migrate",
        help="migrate a dbt project (or a compiled manifest.json) to Flink pipelines",
        description=__doc__,
        epilog=EXIT_CODES,
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
    m.add_argument("--event-time", action="append", metavar="TABLE.COLUMN", help=EVENT_TIME_HELP)
    add_llm_arguments(m)
    add_functions_argument(m)
    add_progress(m)
    m.add_argument("--format", default="text", choices=["text", "json"],
                   help="text: a summary and the errors; json: the full result")  # fmt: skip
    add_fail_on(m)
    m.set_defaults(func=_cmd_migrate)


__all__ = ["PlanPrinter", "ProgressBar", "register"]
