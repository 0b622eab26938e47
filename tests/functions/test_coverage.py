"""The Spark function coverage matrix is complete, consistent and documented."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shiftleft.dialects.spark_coverage import (
    STATUSES,
    coverage,
    functions_markdown,
    spark_builtins,
    unclassified,
)
from shiftleft.rewrite.registry import builtin_rules

ROOT = Path(__file__).resolve().parents[2]


def test_every_spark_builtin_is_classified() -> None:
    assert unclassified() == [], "add these to rules/spark-functions/coverage.yaml"


def test_matrix_names_only_spark_builtins() -> None:
    extra = sorted(set(coverage()) - set(spark_builtins()))
    assert extra == [], "not in the Spark snapshot (renamed or removed in Spark?)"


def test_entries_are_consistent() -> None:
    rule_ids = {r.id for r in builtin_rules()} | {"SL9002"}  # SL9002: the generator itself
    for entry in coverage().values():
        assert entry.status in STATUSES
        assert set(entry.rules) <= rule_ids, f"{entry.name}: unknown rule ids {entry.rules}"
        if entry.status == "unsupported":
            assert entry.hint, f"{entry.name}: an unsupported function needs a hint"
        if entry.status == "documented":
            assert entry.note, f"{entry.name}: a documented difference needs its note"


def test_functions_doc_is_current() -> None:
    doc = (ROOT / "docs" / "functions.md").read_text(encoding="utf-8")
    assert doc == functions_markdown(), (
        "docs/functions.md is stale: run .venv/bin/python scripts/spark_functions.py docs"
    )


@pytest.mark.slow
def test_snapshot_matches_installed_pyspark(spark) -> None:  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from spark_functions import spark_function_groups
    finally:
        sys.path.pop(0)
    live = {f["name"]: f["group"] for f in spark_function_groups(spark)}
    assert live == spark_builtins(), (
        "the Spark function snapshot is out of date: "
        "run .venv/bin/python scripts/spark_functions.py snapshot, then classify the new names"
    )
