"""The ``shiftleft`` command line.

Exit codes: 0 translated without errors; 1 translated, with error diagnostics reported (or
warnings, with ``--fail-on warning``); 2 bad input or usage (unreadable SQL, unknown option
value, missing file, unsafe --out); 3 internal error (a bug; ``--debug`` shows the traceback);
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from shiftleft.errors import ConfigError

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
#: characters: a larger single script is translated and written one statement at a time
STREAM_ABOVE = 1 << 20

#: the exit codes, for the --help of every command
EXIT_CODES_HELP = """exit codes:
  0    done, no error diagnostics (and no warnings, with --fail-on warning)
  1    done, with error diagnostics (or warnings, with --fail-on warning)
  2    bad input or usage: unreadable file or SQL, unknown option value, unsafe --out
  3    internal error (a shiftleft bug; rerun with --debug for the traceback)
  130  interrupted (Ctrl-C)

Every diagnostic and error has a code: `shiftleft rules CODE` explains it."""


class UsageError(ConfigError):
    """A problem with what the user asked for; printed without a traceback, exit 2."""

    code = "SL0013"


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    """``--fail-on {error,warning}``: which diagnostics make the exit code 1."""
    parser.add_argument(
        "--fail-on",
        choices=["error", "warning"],
        default="error",
        help="exit 1 when a diagnostic of this severity or worse is reported (default: error)",
    )


def outcome(args: argparse.Namespace, diagnostics: Sequence[object]) -> int:
    """EXIT_OK or EXIT_DIAGNOSTICS for these diagnostics under ``--fail-on``."""
    failing = {"error"} if getattr(args, "fail_on", "error") == "error" else {"error", "warning"}
    severities = {getattr(getattr(d, "severity", None), "value", None) for d in diagnostics}
    return EXIT_DIAGNOSTICS if severities & failing else EXIT_OK


def read_input(path: str) -> tuple[str, str]:
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    file = Path(path)
    try:
        return file.read_text(encoding="utf-8"), path
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read {path}: {e}") from None


def read_schema(path: str | None) -> dict[str, dict[str, str]] | None:
    """A ``{"table": {"column": "TYPE"}}`` JSON file, for ``--schema``."""
    if path is None:
        return None
    text, _ = read_input(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"{path}: not JSON ({e})") from None
    if not isinstance(data, dict) or not all(
        isinstance(cols, dict) and all(isinstance(t, str) for t in cols.values()) for cols in data.values()
    ):
        raise UsageError(f'{path}: expected {{"table": {{"column": "TYPE"}}}}')
    return data


def _event_time(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    found = {}
    for pair in pairs:
        table, sep, column = pair.partition("=")
        if not sep or not table or not column:
            raise UsageError(f"--event-time expects TABLE=COLUMN, got {pair!r}")
        found[table] = column
    return found


def _streaming(args: argparse.Namespace) -> object:
    from pydantic import ValidationError

    from shiftleft.streaming.options import StreamingOptions

    try:
        return StreamingOptions(state_ttl=args.state_ttl, now=args.now_policy)
    except ValidationError as e:
        raise UsageError(e.errors()[0]["msg"]) from None


def fail(message: object, file: str | None = None) -> int:
    """Print an error (a ShiftleftError with its code and location, or a message); exit 2."""
    from shiftleft.errors import InternalError, ShiftleftError

    if isinstance(message, ShiftleftError):
        print(f"shiftleft: {message.format(file)}", file=sys.stderr)
        if isinstance(message, InternalError):
            return EXIT_INTERNAL
    else:
        print(f"shiftleft: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def translate_options(args: argparse.Namespace) -> dict:
    options = {
        "read": args.read,
        "target": args.target,
        "mode": args.mode,
        "rules": args.rules or None,
        "disable": args.disable or (),
        "pretty": getattr(args, "pretty", False),
        "sink": args.sink,
        "schema": read_schema(args.schema),
        "event_time": _event_time(args.event_time),
        "streaming": _streaming(args),
    }
    if getattr(args, "functions", None):
        options["functions"] = args.functions
    llm = llm_config(args)
    if llm is not None:
        options["llm"] = llm
    return options


def llm_config(args: argparse.Namespace) -> object | None:
    """The LLM fallback's configuration from ``--llm`` / ``--llm-model`` / ``--llm-host``."""
    if not args.llm:
        return None
    from shiftleft.llm import LLMConfig

    settings = {"model": args.llm_model, "host": args.llm_host}
    return LLMConfig(**{k: v for k, v in settings.items() if v is not None})


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """``--llm``, ``--llm-model``, ``--llm-host`` (for every command that translates)."""
    parser.add_argument(
        "--llm",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="ask a local Ollama model to translate what no rule could (default: off; see docs/llm.md)",
    )
    parser.add_argument("--llm-model", metavar="NAME", help="Ollama model (default: qwen2.5-coder:32b)")
    parser.add_argument("--llm-host", metavar="URL", help="Ollama server (default: $OLLAMA_HOST or http://127.0.0.1:11434)")


def _cmd_transpile(args: argparse.Namespace) -> int:
    from shiftleft import InputError, transpile

    many = len(args.files) > 1 or any(Path(f).is_dir() for f in args.files if f != "-")
    if many or args.out:
        return _transpile_many(args)
    text, name = read_input(args.files[0])
    if args.format == "sql" and len(text) > STREAM_ABOVE:
        return _transpile_streamed(text, name, args)
    try:
        result = transpile(text, **translate_options(args))
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
    from shiftleft import ShiftleftError
    from shiftleft.stream import progress_printer, write_stream

    try:
        summary = write_stream(
            text, sys.stdout, name=name, diagnostics=sys.stderr, progress=progress_printer(sys.stderr), **translate_options(args)
        )
    except ShiftleftError as e:
        return fail(e, name)
    if summary.unreadable:
        return EXIT_BAD_INPUT
    return EXIT_DIAGNOSTICS if summary.errors else EXIT_OK


def _transpile_many(args: argparse.Namespace) -> int:
    """Several files / directories: translated in parallel, written to --out or stdout."""
    from shiftleft.batch import transpile_files

    if "-" in args.files:
        raise UsageError("standard input (-) cannot be mixed with several inputs or --out")
    progress = Progress(sys.stderr, enabled=args.progress)
    results = transpile_files(args.files, out_dir=args.out, jobs=args.jobs, progress=progress, **translate_options(args))
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


class Progress:
    """``done/total`` on one stderr line, shown only once a run has taken over a second (and
    only on a terminal unless forced with ``--progress``)."""

    def __init__(self, stream: TextIO, *, enabled: bool | None = None, after_s: float = 1.0) -> None:
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.after_s = after_s
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, name: str = "") -> None:
        if not self.enabled or time.monotonic() - self.start < self.after_s:
            return
        self.shown = True
        self.stream.write(f"\rshiftleft: {done}/{total} {name[-50:]:<50}")
        self.stream.flush()

    def done(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _cmd_rules(args: argparse.Namespace) -> int:
    from shiftleft import ShiftleftError
    from shiftleft.codes import code_doc, codes_listing
    from shiftleft.rewrite.catalog import rule_doc, rules_catalog, rules_markdown

    try:
        catalog = rules_catalog(args.rules or None)
    except ShiftleftError as e:
        return fail(e)
    if args.rule:
        wanted = args.rule.lower()
        match = [r for r in catalog if wanted in (r.id.lower(), r.name)]
        if match:
            sys.stdout.write(rule_doc(match[0]))
            return EXIT_OK
        code = code_doc(args.rule)
        if code is None:
            return fail(f"no rule or code '{args.rule}'; see `shiftleft rules` and `shiftleft rules --codes`")
        sys.stdout.write(code)
        return EXIT_OK
    if args.codes:
        sys.stdout.write(codes_listing())
        return EXIT_OK
    if args.format == "json":
        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in catalog], indent=2) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(rules_markdown(catalog))
    else:
        width = max((len(r.name) for r in catalog), default=0)
        for r in catalog:
            print(f"{r.id}  {r.name:<{width}}  {r.title}")
    return EXIT_OK


def add_translate_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a translation (dialect, target, mode, schema, event time, rules, ...),
    shared by ``transpile`` and ``verify`` so both read SQL exactly the same way."""
    parser.add_argument("--read", default="spark", help="input dialect (default: spark)")
    parser.add_argument("--target", default="flink", choices=["flink", "confluent"])
    parser.add_argument("--mode", default="streaming", choices=["streaming", "batch"])
    add_llm_arguments(parser)
    parser.add_argument("--schema", metavar="FILE", help='column types, JSON {"table": {"column": "TYPE"}}')
    parser.add_argument(
        "--event-time",
        action="append",
        metavar="TABLE=COLUMN",
        help="event-time column of a source table (repeatable); streaming rules window, order and join on it",
    )
    parser.add_argument("--state-ttl", metavar="DURATION", help="add a STATE_TTL hint (e.g. 1d, 12h) to regular joins")
    parser.add_argument(
        "--now-policy",
        choices=["warn", "error"],
        default="warn",
        help="current_timestamp() and friends in streaming: warn (default) or error",
    )
    parser.add_argument(
        "--sink",
        metavar="TABLE",
        help="write the query into this sink table: emits its CREATE TABLE (connector and primary "
        "key fitting the query's changelog) and an INSERT INTO",
    )
    parser.add_argument("--rules", action="append", metavar="DIR", help="extra rule pack directory (repeatable)")
    parser.add_argument("--disable", action="append", metavar="ID", help="rule id or name to switch off (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    from shiftleft import __version__

    parser = argparse.ArgumentParser(
        prog="shiftleft", description="Transpile Spark / dbt SQL into Apache Flink SQL."
    )
    parser.add_argument("--version", action="version", version=f"shiftleft {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser(
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
    t.add_argument("--functions", metavar="FILE", help="YAML / JSON / TOML mapping of your UDF names to "
                   "Flink templates, e.g. 'clean: LOWER(TRIM($1))' (see docs/functions.md)")
    t.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress on stderr for runs over a second (default: when stderr is a terminal)")  # fmt: skip
    add_fail_on(t)
    t.set_defaults(func=_cmd_transpile)

    r = sub.add_parser(
        "rules",
        help="list the rewrite rules, or explain one rule or code",
        epilog="exit codes:\n  0    shown\n  2    unknown rule or code, bad rule pack",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("rule", nargs="?", metavar="ID", help="a rule id or name: show its rationale and examples")
    r.add_argument("--format", default="table", choices=["table", "json", "markdown"])
    r.add_argument("--codes", action="store_true", help="list the error and diagnostic codes that are not rules")
    r.add_argument("--rules", action="append", metavar="DIR", help="extra rule pack directory (repeatable)")
    r.set_defaults(func=_cmd_rules)

    from shiftleft.deploy.cli import register as register_deploy
    from shiftleft.migrate_cli import register as register_migrate
    from shiftleft.verify_cli import register as register_verify

    register_migrate(sub)
    register_verify(sub)
    register_deploy(sub)
    for name, command in sub.choices.items():
        if name != "rules" and EXIT_CODES_HELP not in (command.epilog or ""):
            command.epilog = f"{command.epilog}\n\n{EXIT_CODES_HELP}" if command.epilog else EXIT_CODES_HELP
            command.formatter_class = argparse.RawDescriptionHelpFormatter
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
    from shiftleft.errors import ShiftleftError

    try:
        from shiftleft import ShiftleftEnvironmentError  # noqa: F401 - triggers the sqlglot check

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
