"""TPC-H as a regression suite: the 22 queries translated by shiftleft (read="duckdb"),
planned and reconciled on Flink 2.3 batch against DuckDB at sf 0.01 (about a minute)."""

from __future__ import annotations

import logging

import pytest

from shiftleft.tpc import markdown_report, run_tpc

pytestmark = [pytest.mark.slow, pytest.mark.flink]

PLANNED_FLOOR = 22
EQUAL_FLOOR = 22
"""Measured: all 22 plan and give DuckDB's rows (shiftleft 0.1.0, Flink 2.3.0, DuckDB 1.5.5)."""


def test_tpch_reconciles_on_flink_batch(flink_planner) -> None:
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    outcomes = run_tpc("tpch", sf=0.01, planner=flink_planner)
    table = markdown_report(outcomes, "TPC-H sf 0.01")
    assert [o.query for o in outcomes] == list(range(1, 23))
    for o in outcomes:
        if not o.equal:
            assert o.reason, f"q{o.query} failed without a reason"
    assert sum(o.planned for o in outcomes) >= PLANNED_FLOOR, table
    assert sum(o.equal for o in outcomes) >= EQUAL_FLOOR, table
