"""What every ``shiftleft`` command shares: exit codes, usage errors, reading inputs, and the
translation options (``--read``, ``--target``, ``--mode``, ``--schema``, ...) built into one
:class:`~shiftleft.options.TranspileOptions`.

Exit codes: 0 translated without errors; 1 translated, with error diagnostics reported (or
warnings, with ``--fail-on warning``); 2 bad input or usage (unreadable SQL, unknown option
value, missing file, unsafe --out); 3 internal error (a bug; ``--debug`` shows the traceback);
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError

from shiftleft.errors import ConfigError, InternalError, ShiftleftError
from shiftleft.llm import LLMConfig
from shiftleft.options import TranspileOptions
from shiftleft.streaming.options import StreamingOptions

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def exit_codes_help(
    ok: str = "done, no error diagnostics (and no warnings, with --fail-on warning)",
    diagnostics: str | None = "done, with error diagnostics (or warnings, with --fail-on warning)",
    bad_input: str = "bad input or usage: unreadable file or SQL, unknown option value, unsafe --out",
) -> str:
    """The ``exit codes:`` section of a command's ``--help``: what 0, 1 (None: never) and 2
    mean for it; 3 and 130 mean the same for every command."""
    lines = [f"  0    {ok}"]
    if diagnostics is not None:
        lines.append(f"  1    {diagnostics}")
    lines += [
        f"  2    {bad_input}",
        "  3    internal error (a shiftleft bug; rerun with --debug for the traceback)",
        "  130  interrupted (Ctrl-C)",
    ]
    return "exit codes:\n" + "\n".join(lines) + (
        "\n\nEvery diagnostic and error has a code: `shiftleft rules CODE` explains it."
    )


#: the exit codes of ``transpile`` (and the default of a command that gives none)
EXIT_CODES_HELP = exit_codes_help()


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
        if sys.stdin is None:  # started with the standard input closed
            raise UsageError("cannot read the standard input: it is closed")
        try:
            return sys.stdin.read(), "<stdin>"
        except (OSError, UnicodeDecodeError) as e:  # not readable, not UTF-8
            raise UsageError(f"cannot read the standard input: {e}") from None
    file = Path(path)
    try:
        return file.read_text(encoding="utf-8"), path
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: a NUL in the path
        raise UsageError(f"cannot read {path!r}: {e}") from None


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


def parse_event_time(pairs: list[str] | None) -> dict[str, str] | None:
    """``--event-time TABLE.COLUMN`` (repeatable; the last dot splits, so ``source.table.col``
    works; ``TABLE=COLUMN`` is read too), for transpile, verify and migrate alike."""
    if not pairs:
        return None
    found = {}
    for pair in pairs:
        table, sep, column = pair.partition("=") if "=" in pair else pair.rpartition(".")
        if not sep or not table or not column:
            raise UsageError(f"--event-time expects TABLE.COLUMN, got {pair!r}")
        found[table] = column
    return found


EVENT_TIME_HELP = (
    "event-time column of a table, TABLE.COLUMN (repeatable): declared TIMESTAMP(3) with a "
    "watermark; streaming rules window, order and join on it"
)


def _streaming(args: argparse.Namespace) -> StreamingOptions:
    try:
        return StreamingOptions(state_ttl=args.state_ttl, now=args.now_policy)
    except ValidationError as e:
        raise UsageError(e.errors()[0]["msg"]) from None


def fail(message: object, file: str | None = None) -> int:
    """Print an error (a ShiftleftError with its code and location, or a message); exit 2."""
    if isinstance(message, ShiftleftError):
        print(f"shiftleft: {message.format(file)}", file=sys.stderr)
        if isinstance(message, InternalError):
            return EXIT_INTERNAL
    else:
        print(f"shiftleft: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def translate_options(args: argparse.Namespace) -> TranspileOptions:
    """The translation options of ``transpile`` and ``verify`` (``--read``, ``--schema``, ...)."""
    return TranspileOptions.of(
        read=args.read or "spark",
        target=args.target,
        mode=args.mode,
        rules=args.rules or None,
        disable=args.disable or (),
        pretty=getattr(args, "pretty", False),
        sink=args.sink,
        schema=read_schema(args.schema),
        event_time=parse_event_time(args.event_time),
        streaming=_streaming(args),
        functions=args.functions,
        llm=llm_config(args),
    )


def llm_config(args: argparse.Namespace) -> LLMConfig | None:
    """The LLM fallback's configuration from ``--llm`` / ``--llm-model`` / ``--llm-host``."""
    if not args.llm:
        return None
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


def add_translate_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a translation (dialect, target, mode, schema, event time, rules, ...),
    shared by ``transpile`` and ``verify`` so both read SQL exactly the same way."""
    parser.add_argument("--read", help="input dialect (default: spark; verify --streaming: the profile's adapter)")
    parser.add_argument("--target", default="flink", choices=["flink", "confluent"])
    parser.add_argument("--mode", default="streaming", choices=["streaming", "batch"])
    add_llm_arguments(parser)
    parser.add_argument("--schema", metavar="FILE", help='column types, JSON {"table": {"column": "TYPE"}}')
    parser.add_argument(
        "--event-time",
        action="append",
        metavar="TABLE.COLUMN",
        help=EVENT_TIME_HELP,
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
    add_functions_argument(parser)


def parse_vars(text: str | None) -> dict[str, Any] | None:
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


def add_functions_argument(parser: argparse.ArgumentParser) -> None:
    """``--functions FILE``: the user's UDF mappings (``transpile``, ``verify``, ``migrate``)."""
    parser.add_argument("--functions", metavar="FILE", help="YAML / JSON / TOML mapping of your UDF names to "
                        "Flink templates, e.g. 'clean: LOWER(TRIM($1))' (see docs/functions.md)")


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


class Heartbeat:
    """``with Heartbeat(stderr, "verifying m.sql"):`` around one long call that reports no
    progress of its own: once it has run for ``after_s`` seconds, a line on ``stream`` says
    what is running and for how long, updated every second (only on a terminal unless forced
    with ``--progress``)."""

    def __init__(self, stream: TextIO, label: str, *, enabled: bool | None = None, after_s: float = 1.0) -> None:
        self.stream, self.label, self.after_s = stream, label, after_s
        self.enabled = stream.isatty() if enabled is None else enabled
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="shiftleft-progress", daemon=True)
        self.shown = False

    def _beat(self) -> None:
        start = time.monotonic()
        while not self._stop.wait(self.after_s if not self.shown else 1.0):
            self.shown = True
            self.stream.write(f"\rshiftleft: {self.label} ({time.monotonic() - start:.0f} s)")
            self.stream.flush()

    def __enter__(self) -> Heartbeat:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._stop.set()
            self._thread.join()
            if self.shown:
                self.stream.write("\n")
                self.stream.flush()


def add_progress(parser: argparse.ArgumentParser) -> None:
    """``--progress / --no-progress``: progress on stderr for runs over a second."""
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress on stderr for runs over a second (default: when stderr is a terminal)")  # fmt: skip


def add_debug(parser: argparse.ArgumentParser) -> None:
    """``--debug`` after the subcommand too (``shiftleft migrate --debug``), as before it."""
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show the Python traceback of an error"
    )
