"""The properties the fuzz suite checks, shared by ``test_fuzz.py`` (the CI sample) and
``scripts/fuzz_run.py`` (the time-boxed long run).

Each ``check_*`` raises AssertionError (or lets the unexpected exception through) when the
property fails; a pass returns normally.  ``ISOLATED`` collects crashes that shiftleft caught
and reported on one statement (SL9000 / SL0099 diagnostics): not failures of the run, but bugs.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import sqlglot
from fuzz_count import TRIED
from sqlglot import exp
from strategies import write_project

import shiftleft
from shiftleft.cli import main
from shiftleft.errors import InternalError, ShiftleftError
from shiftleft.limits import MAX_ARRAY_NESTING, call_deep
from shiftleft.migration import migrate

#: diagnostics that are crashes caught around one statement or model (a bug each)
CRASH_CODES = frozenset({"SL9000", "SL0099"})
#: (where, code, message, input) of the isolated crashes seen
ISOLATED: list[tuple[str, str, str, str]] = []


def _note_isolated(where: str, diagnostics: object, given: str) -> None:
    for d in diagnostics:  # type: ignore[attr-defined]
        if d.rule_id in CRASH_CODES:
            ISOLATED.append((where, d.rule_id, d.message[:300], given[:2000]))


def check_transpile(sql: str, **options: object) -> None:
    """Only a ShiftleftError (not an internal one) escapes; every output statement without an
    error diagnostic is Flink SQL that sqlglot's Flink dialect reads back (not as a Command)."""
    TRIED["inputs"] += 1
    try:
        result = shiftleft.transpile(sql, **options)  # type: ignore[arg-type]
    except InternalError:
        raise
    except ShiftleftError as e:
        assert e.code.startswith("SL") and e.message
        return
    _note_isolated("transpile", result.diagnostics, sql)
    for statement in result.statements:
        if any(d.severity.value == "error" for d in statement.diagnostics):
            continue
        if "ARRAY[" * (MAX_ARRAY_NESTING + 1) in statement.sql.upper().replace(" ", ""):
            continue  # sqlglot reads nested ARRAY[...] in exponential time (an upstream limit)
        try:
            trees = call_deep(sqlglot.parse, statement.sql, read="flink")
        except sqlglot.errors.SqlglotError as e:
            raise AssertionError(f"output of statement {statement.index} is not Flink SQL: {statement.sql!r}: {e}") from None
        assert all(not isinstance(t, exp.Command) for t in trees if t is not None), statement.sql


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``shiftleft ARGV`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:  # argparse: usage errors exit 2, --help / --version exit 0
            code = e.code if isinstance(e.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def check_cli(argv: list[str]) -> None:
    """A documented exit code (never 3, an internal error) and no traceback (unless asked
    for with --debug)."""
    TRIED["inputs"] += 1
    code, _, err = run_cli(argv)
    assert code in (0, 1, 2), f"exit {code}: {err[-2000:]}"
    assert "Traceback" not in err or "--debug" in argv, err[-2000:]


def check_migrate(files: dict[str, str | bytes], argv: list[str] | None = None) -> None:
    """Migrating a random (broken) dbt project: only a ShiftleftError escapes, every model is a
    table with a status, and every failed table says why; with ``argv``, ``shiftleft migrate``
    on it too (documented exit code, no traceback)."""
    TRIED["inputs"] += 1
    root = Path(tempfile.mkdtemp(prefix="slfuzz-"))
    try:
        project = write_project(root / "p", files)
        manifest = project / "target" / "manifest.json"
        target = manifest if manifest.exists() and len(str(files)) % 3 == 0 else project
        try:
            result = migrate(target, root / "out", jobs=1, plan=False)  # no JVM per input
        except InternalError:
            raise
        except ShiftleftError as e:
            assert e.code.startswith("SL") and e.message
        else:
            for table in result.tables:
                if table.status.value == "failed":
                    assert table.errors, table.name
                _note_isolated("migrate", table.errors, repr(files))
            _note_isolated("migrate", result.diagnostics, repr(files))
        if argv is not None:
            code, _, err = run_cli(["migrate", str(target), "--out", str(root / "cli"), *argv, "--jobs", "1", "--no-plan"])
            assert code in (0, 1, 2), f"exit {code}: {err[-2000:]}"
            assert "Traceback" not in err, err[-2000:]
    finally:
        shutil.rmtree(root, ignore_errors=True)
