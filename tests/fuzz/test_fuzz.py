"""Fuzzing: hostile SQL and command lines never crash shiftleft.

Properties: only :class:`~shiftleft.errors.ShiftleftError` subclasses escape
:func:`shiftleft.transpile`; every output statement either carries an error diagnostic or is
SQL the Flink dialect reads back; the CLI returns a documented exit code (never 3, an
internal error) and prints no traceback; migrating a random broken dbt project reports
what is wrong and lets no other exception out.  The CI sample is ~2,190 inputs (< 2 min);
``SHIFTLEFT_FUZZ_SCALE=N`` multiplies it, and ``scripts/fuzz_run.py`` runs all of them for a
given wall-clock time (the checks themselves are in ``checks.py``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from checks import check_cli, check_migrate, check_transpile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import argv, dbt_projects, deep, identifiers, migrate_argv, queries, token_streams

TOKEN_STREAMS, QUERIES, DEEP, IDENTIFIERS, ARGV = token_streams(), queries(), deep(), identifiers(), argv()

SCALE = int(os.environ.get("SHIFTLEFT_FUZZ_SCALE", "1"))


def fuzz(examples: int):  # type: ignore[no-untyped-def]
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )


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
    model = Path(tmp_path_factory.mktemp("cli"), "m.sql")
    model.write_text(sql)
    check_cli(["transpile", str(model), *args])


@fuzz(40)
@given(dbt_projects(), st.one_of(st.none(), migrate_argv()))
def test_broken_dbt_projects(files: dict[str, str | bytes], args: list[str] | None) -> None:
    check_migrate(files, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
