"""Fuzzing: hostile SQL and command lines never crash shiftleft.

Properties: only :class:`~shiftleft.errors.ShiftleftError` subclasses escape
:func:`shiftleft.transpile`; every output statement either carries an error diagnostic or is
SQL the Flink dialect reads back; the CLI returns a documented exit code (never 3, an
internal error) and prints no traceback.  The CI sample is ~2,150 inputs (< 2 min);
``SHIFTLEFT_FUZZ_SCALE=N`` multiplies it for a longer local run.
"""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import sqlglot
from fuzz_count import TRIED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp
from strategies import argv, deep, identifiers, queries, token_streams

TOKEN_STREAMS, QUERIES, DEEP, IDENTIFIERS, ARGV = token_streams(), queries(), deep(), identifiers(), argv()

import shiftleft
from shiftleft.cli import main
from shiftleft.errors import InternalError, ShiftleftError
from shiftleft.limits import MAX_ARRAY_NESTING, call_deep

SCALE = int(os.environ.get("SHIFTLEFT_FUZZ_SCALE", "1"))


def fuzz(examples: int):  # type: ignore[no-untyped-def]
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )


def check_transpile(sql: str, **options: object) -> None:
    TRIED["inputs"] += 1
    try:
        result = shiftleft.transpile(sql, **options)  # type: ignore[arg-type]
    except InternalError:
        raise
    except ShiftleftError as e:
        assert e.code.startswith("SL") and e.message
        return
    for statement in result.statements:
        if any(d.severity.value == "error" for d in statement.diagnostics):
            continue
        if "ARRAY[" * (MAX_ARRAY_NESTING + 1) in statement.sql.upper().replace(" ", ""):
            continue  # sqlglot reads nested ARRAY[...] in exponential time (an upstream limit)
        try:
            trees = call_deep(sqlglot.parse, statement.sql, read="flink")
        except sqlglot.errors.SqlglotError as e:
            pytest.fail(f"output of statement {statement.index} is not Flink SQL: {statement.sql!r}: {e}")
        assert all(not isinstance(t, exp.Command) for t in trees if t is not None), statement.sql


@fuzz(1200)
@given(TOKEN_STREAMS)
def test_token_streams(sql: str) -> None:
    check_transpile(sql)


@fuzz(150)
@given(QUERIES, st.sampled_from(["streaming", "batch"]), st.sampled_from(["flink", "confluent"]))
def test_generated_queries(sql: str, mode: str, target: str) -> None:
    check_transpile(sql, mode=mode, target=target)


@fuzz(50)
@given(DEEP)
def test_deep_nesting(sql: str) -> None:
    check_transpile(sql)


@fuzz(400)
@given(st.text(max_size=200))
def test_unicode_text(sql: str) -> None:
    check_transpile(sql)


@fuzz(150)
@given(st.lists(IDENTIFIERS, min_size=1, max_size=4))
def test_long_and_unicode_identifiers(names: list[str]) -> None:
    check_transpile(f"SELECT {', '.join(names)} FROM {names[0]} WHERE {names[-1]} IS NOT NULL")


@fuzz(50)
@given(QUERIES, st.sampled_from(["spark", "databricks", "hive", "duckdb", "snowflake", "postgres", "mysql"]))
def test_other_readers(sql: str, read: str) -> None:
    check_transpile(sql, read=read)


@fuzz(150)
@given(ARGV, st.sampled_from(["SELECT nvl(a, 1) FROM t", "hello world", "SELECT a FROM t; garbage ((", ""]))
def test_command_lines(tmp_path_factory: pytest.TempPathFactory, args: list[str], sql: str) -> None:
    TRIED["inputs"] += 1
    folder = tmp_path_factory.mktemp("cli")
    model = Path(folder, "m.sql")
    model.write_text(sql)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(["transpile", str(model), *args])
        except SystemExit as e:  # argparse: usage errors exit 2, --help / --version exit 0
            code = e.code if isinstance(e.code, int) else 2
    assert code in (0, 1, 2), err.getvalue()
    assert "Traceback" not in err.getvalue()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
