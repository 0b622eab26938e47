"""Differential test of the derivation against Flink 2.3 (issue 14).

Hypothesis composes queries (depth <= 3) from the operators the derivation knows; for each,
shiftleft derives mode / keys / time attributes and picks the sink it would write (append
Kafka for insert-only, upsert-kafka keyed on the derived key, kafka + debezium-json for
updates without a key); Flink plans the INSERT.  A failure is a sink Flink refuses, or an
insert-only verdict where Flink's sink input updates.  "Conservative" cases (we say updating,
Flink says insert-only) are counted, not failed.  Seeded: the same queries every run.

Hypothesis generates 2,000 queries once per run, about 1,440 of them distinct (the generator
repeats its small shapes: ``SELECT * FROM v_agg`` 20 times); each distinct query is planned once
(Flink's verdict on a query does not change when it is asked again), in :data:`SHARDS`
interleaved shares, one test each, so that the pytest-xdist workers can share the work (an
oracle per worker); each share must plan at least 75% of its queries, so the whole set does too.
"""

from __future__ import annotations

import collections
import fcntl
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from _flink_oracle import FlinkOracle
from _query_gen import queries

pytestmark = [pytest.mark.flink, pytest.mark.slow]

EXAMPLES = 2000
SHARDS = 8
REGRESSIONS = Path(__file__).with_name("regressions.sql")


def _regressions() -> list[str]:
    text = "\n".join(line for line in REGRESSIONS.read_text().splitlines() if not line.startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.fixture(scope="module")
def oracle(flink_planner_connectors) -> FlinkOracle:
    return FlinkOracle(flink_planner_connectors)


@pytest.mark.parametrize("sql", _regressions(), ids=lambda s: re.sub(r"\W+", "_", s)[:60])
def test_regression(oracle: FlinkOracle, sql: str) -> None:
    verdict = oracle.check(sql)
    assert verdict.valid, "the regression query no longer plans on Flink"
    assert verdict.disagreement is None, verdict.disagreement


def _generate() -> list[str]:
    generated: list[str] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(queries())
    def collect(sql: str) -> None:
        generated.append(sql)

    collect()
    return list(dict.fromkeys(generated))  # the distinct queries, in the order generated


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The generated queries, once per run: under pytest-xdist the first worker that asks writes
    them to the run's shared temporary folder (keyed by the generator's source) and the others
    read them; hypothesis generates the same list in every process (derandomized)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return _generate()
    source = Path(__file__).with_name("_query_gen.py").read_bytes() + Path(__file__).read_bytes()
    cache = tmp_path_factory.getbasetemp().parent / f"changelog-queries-{hashlib.sha256(source).hexdigest()[:16]}.json"
    with open(cache.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not cache.exists():
            cache.write_text(json.dumps(_generate()))
        return list(json.loads(cache.read_text()))


@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_queries_agree_with_flink(oracle: FlinkOracle, generated: list[str], shard: int) -> None:
    assert len(generated) >= EXAMPLES * 0.6, f"only {len(generated)} distinct queries of {EXAMPLES}"
    share = generated[shard::SHARDS]
    stats: collections.Counter[str] = collections.Counter()
    failures = []
    for sql in share:
        verdict = oracle.check(sql)
        stats["generated"] += 1
        if not verdict.valid:
            stats["rejected by Flink (invalid)"] += 1
            continue
        stats["planned"] += 1
        stats[f"sink {verdict.sink.split('(')[0]}"] += 1
        if verdict.conservative:
            stats["conservative"] += 1
        if verdict.time_mismatch:
            stats[f"time attributes {verdict.time_mismatch}"] += 1
        if verdict.disagreement:
            failures.append((len(sql), sql, verdict.disagreement))
    print(f"differential figures (share {shard + 1} of {SHARDS}):", dict(stats))
    assert stats["generated"] == len(share)
    assert stats["planned"] >= len(share) * 0.75, stats
    failures.sort()
    assert not failures, f"{len(failures)} disagreements:\n" + "\n\n".join(f"{d}\n  {sql}" for _, sql, d in failures[:5])
