"""The ``shiftleft transpile`` subcommand: SQL files (or standard input) to Flink SQL.

One script is translated whole (or, over ``STREAM_ABOVE`` characters, statement by statement
in bounded memory); several files or folders are translated in parallel, to ``--out`` or
standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from shiftleft.batch import transpile_files
from shiftleft.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_CODES_HELP,
    EXIT_DIAGNOSTICS,
    EXIT_OK,
    Heartbeat,
    Progress,
    UsageError,
    add_fail_on,
    add_progress,
    add_translate_arguments,
    fail,
    outcome,
    read_input,
    translate_options,
)
from shiftleft.errors import InputError, ShiftleftError
from shiftleft.pipeline import transpile
from shiftleft.stream import progress_printer, write_stream

#: characters: a larger single script is translated and written one statement at a time
STREAM_ABOVE = 1 << 20


def _cmd_transpile(args: argparse.Namespace) -> int:
    many = len(args.files) > 1 or any(Path(f).is_dir() for f in args.files if f != "-")
    if many or args.out:
        return _transpile_many(args)
    text, name = read_input(args.files[0])
    if args.format == "sql" and len(text) > STREAM_ABOVE:
        return _transpile_streamed(text, name, args)
    try:
        with Heartbeat(sys.stderr, f"translating {name}", enabled=args.progress):
            result = transpile(text, translate_options(args))
    except InputError as e:
        return fail(e, name)
    if args.format == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(result.sql)
        for d in result.diagnostics:
            print(d.format(name), file=sys.stderr)
    return outcome(args, result.diagnostics)


def _transpile_streamed(text: str, name: str, args: argparse.Namespace) -> int:
    """A large script: translated and written statement by statement (bounded memory), with
    progress on stderr (shiftleft.stream)."""
    try:
        summary = write_stream(
            text, sys.stdout, translate_options(args), name=name, diagnostics=sys.stderr, progress=progress_printer(sys.stderr)
        )
    except ShiftleftError as e:
        return fail(e, name)
    if summary.unreadable:
        return EXIT_BAD_INPUT
    return EXIT_DIAGNOSTICS if summary.errors else EXIT_OK


def _transpile_many(args: argparse.Namespace) -> int:
    """Several files / directories: translated in parallel, written to --out or stdout."""
    if "-" in args.files:
        raise UsageError("standard input (-) cannot be mixed with several inputs or --out")
    progress = Progress(sys.stderr, enabled=args.progress)
    results = transpile_files(args.files, translate_options(args), out_dir=args.out, jobs=args.jobs, progress=progress)
    progress.done()
    if args.format == "json":
        sys.stdout.write("[" + ",\n".join(r.model_dump_json(indent=2) for r in results) + "]\n")
    for item in results:
        if item.error is not None:
            print(f"shiftleft: {item.path}: error [{item.code or 'SL0001'}] {item.error}", file=sys.stderr)
            continue
        assert item.result is not None
        if args.format == "sql" and not args.out:
            sys.stdout.write(f"-- {item.path}\n{item.result.sql}")
        for d in item.result.diagnostics:
            print(d.format(item.path), file=sys.stderr)
    if args.out:
        written = sum(1 for r in results if r.output)
        print(f"shiftleft: wrote {written} of {len(results)} files to {args.out}", file=sys.stderr)
    if any(r.error for r in results):
        return EXIT_BAD_INPUT
    return outcome(args, [d for r in results if r.result is not None for d in r.result.diagnostics])



def register(subparsers: Any) -> None:
    """Add the ``transpile`` subcommand to the ``shiftleft`` parser's subparsers."""
    t = subparsers.add_parser(
        "transpile",
        help="translate a SQL script to Flink SQL",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument("files", nargs="+", metavar="FILE", help="SQL files or directories of *.sql files; - for standard input")
    add_translate_arguments(t)
    t.add_argument("--format", default="sql", choices=["sql", "json"], help="sql: Flink SQL on stdout, diagnostics on stderr; json: the full result")
    t.add_argument("--pretty", action="store_true", help="format the SQL over several lines")
    t.add_argument("--out", metavar="DIR", help="write each file's Flink SQL under DIR (same relative paths)")
    t.add_argument("--jobs", type=int, metavar="N", help="worker processes for several files (default: CPUs)")
    add_progress(t)
    add_fail_on(t)
    t.set_defaults(func=_cmd_transpile)
