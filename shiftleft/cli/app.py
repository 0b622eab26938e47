"""The ``shiftleft`` parser (one subcommand per module of this package) and ``main``."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from shiftleft import __version__
from shiftleft.cli.common import EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_INTERRUPTED, add_debug, fail
from shiftleft.cli.deploy import register as register_deploy
from shiftleft.cli.migrate import register as register_migrate
from shiftleft.cli.rules import register as register_rules
from shiftleft.cli.transpile import register as register_transpile
from shiftleft.cli.verify import register as register_verify
from shiftleft.errors import ShiftleftError

#: each subcommand module's ``register``, in the order ``shiftleft --help`` lists them
COMMANDS = (register_transpile, register_rules, register_migrate, register_verify, register_deploy)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shiftleft", description="Transpile Spark / dbt SQL into Apache Flink SQL."
    )
    parser.add_argument("--version", action="version", version=f"shiftleft {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(sub)
    for command_parser in sub.choices.values():
        add_debug(command_parser)
        if "exit codes:" not in (command_parser.epilog or ""):
            epilog = command_parser.epilog
            command_parser.epilog = f"{epilog}\n\n{EXIT_CODES_HELP}" if epilog else EXIT_CODES_HELP
            command_parser.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        # sqlglot logs a warning for each statement it falls back on; we report those ourselves.
        logging.getLogger("sqlglot").setLevel(logging.ERROR)
    try:
        return int(args.func(args))
    except ShiftleftError as e:
        if args.debug:
            traceback.print_exc()
        return fail(e)
    except KeyboardInterrupt:
        print("shiftleft: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - no traceback for users unless --debug
        if args.debug:
            traceback.print_exc()
        print(
            f"shiftleft: error [SL0099] internal error ({type(e).__name__}: {str(e)[:300]}); please "
            "report it as a shiftleft bug" + ("" if args.debug else " (rerun with --debug for the traceback)"),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
