"""TPC-H as a regression suite: the 22 queries translated by shiftleft (read="duckdb"),
planned and reconciled on Flink 2.3 batch against DuckDB at sf 0.01 (about a minute), in two
interleaved halves (one test each, so that the pytest-xdist workers share them; each half loads
the sf 0.01 tables itself)."""

from __future__ import annotations

import logging

import pytest

from shiftleft.tpc import markdown_report, run_tpc

pytestmark = [pytest.mark.slow, pytest.mark.flink]

QUERIES = list(range(1, 23))
SHARDS = 2
"""Measured: all 22 plan and give DuckDB's rows (shiftleft 0.1.0, Flink 2.3.0, DuckDB 1.5.5):
every query of each half must."""


@pytest.mark.parametrize("shard", range(SHARDS))
def test_tpch_reconciles_on_flink_batch(flink_planner, shard: int) -> None:
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    wanted = QUERIES[shard::SHARDS]
    outcomes = run_tpc("tpch", sf=0.01, queries=wanted, planner=flink_planner)
    table = markdown_report(outcomes, f"TPC-H sf 0.01, queries {wanted}")
    assert [o.query for o in outcomes] == wanted
    for o in outcomes:
        if not o.equal:
            assert o.reason, f"q{o.query} failed without a reason"
    assert sum(o.planned for o in outcomes) == len(wanted), table
    assert sum(o.equal for o in outcomes) == len(wanted), table
