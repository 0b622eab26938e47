"""The ``shiftleft verify`` subcommand: translate a source script, plan the translation on the
embedded Flink 2.3 and reconcile its rows with the source run on DuckDB.

The source is read and translated exactly as ``shiftleft transpile`` does (same reader and
options: --read, --schema, --event-time, --rules, ...).  The report says "verified" only when
rows were compared and are equal; with no input rows it says what was (not) checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from shiftleft.cli.common import (
    Heartbeat,
    UsageError,
    add_fail_on,
    add_progress,
    exit_codes_help,
    add_translate_arguments,
    fail,
    outcome,
    read_input,
    translate_options,
)
from shiftleft.cli.verify_streaming import add_streaming_arguments, cmd_verify_streaming
from shiftleft.errors import InputError
from shiftleft.options import VerifyOptions
from shiftleft.verification import verify

#: ``shiftleft verify --help``: its exit codes
EXIT_CODES = exit_codes_help(
    "no error: planned, and rows equal where compared (no warnings, with --fail-on warning)",
    "translation errors, planner errors or rows that differ (or warnings, with --fail-on warning)",
    "bad input or usage: unreadable SQL, missing file, bad schema or seeds, Java / PyFlink missing",
)


def _cmd_verify(args: argparse.Namespace) -> int:
    if args.streaming:
        return cmd_verify_streaming(args)
    try:
        text, name = read_input(args.file)
        options = VerifyOptions.of(
            translate_options(args), seeds=args.seeds, generate_rows=args.generate_rows, keys=args.key or None
        )
        translation: Any = read_input(args.translation)[0] if args.translation else None
        if args.seeds is not None and not Path(args.seeds).is_dir():
            raise UsageError(f"--seeds: no such directory: {args.seeds}")
    except UsageError as e:
        return fail(e)
    try:
        # without --translation: the very translation `shiftleft transpile` gives (same options)
        with Heartbeat(sys.stderr, f"verifying {name} (translate, plan, run on Flink and DuckDB)", enabled=args.progress):
            report = verify(text, options, translation=translation)
    except InputError as e:
        return fail(e, name)
    if args.format == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        sys.stdout.write(report.format(name))
    return outcome(args, report.diagnostics)


def register(subparsers: Any) -> None:
    """Add the ``verify`` subcommand to the ``shiftleft`` parser's subparsers."""
    v = subparsers.add_parser(
        "verify",
        help="plan the translation on Flink and compare its rows with the source on DuckDB",
        description=__doc__,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("file", help="SQL file of the SOURCE query / script, or - for standard input "
                   "(with --streaming: a dbt project folder)")
    add_translate_arguments(v)
    v.add_argument("--seeds", metavar="DIR", help="folder of <table>.csv / <table>.parquet input rows")
    v.add_argument("--generate-rows", type=int, default=0, metavar="N",
                   help="generate N rows per schema table that has no seed file")
    v.add_argument("--translation", metavar="FILE",
                   help="verify this Flink SQL instead of shiftleft's own translation")
    v.add_argument("--key", action="append", metavar="COLUMN",
                   help="result column identifying a row in the diff (repeatable)")
    v.add_argument("--format", default="text", choices=["text", "json"])
    add_progress(v)
    add_fail_on(v)
    add_streaming_arguments(v)
    v.set_defaults(func=_cmd_verify)


def main(argv: list[str] | None = None) -> int:
    """Run ``verify`` on its own (``python -m shiftleft.cli.verify``)."""
    parser = argparse.ArgumentParser(prog="shiftleft")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["verify", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
