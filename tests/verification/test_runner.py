"""The embedded Flink runner (shiftleft.flink_engine.runner): seeds, batch, streaming."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from shiftleft.flink_engine.runner import (
    FlinkExecutionError,
    fold_changelog,
    seed_table_ddl,
    write_json_lines,
)


def test_fold_changelog() -> None:
    rows, unmatched = fold_changelog(
        [("+I", ("a", 1)), ("-U", ("a", 1)), ("+U", ("a", 2)), ("+I", ("b", 1)),
         ("-D", ("b", 1)), ("+I", ("c", 1)), ("+I", ("c", 1)), ("-D", ("z", 9))]
    )
    assert rows == [("a", 2), ("c", 1), ("c", 1)]
    assert unmatched == 1
    with pytest.raises(ValueError):
        fold_changelog([("?", ())])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed") / "orders"
    write_json_lines(path / "data.json", [
        {"id": 1, "who": "a", "amount": "1.50", "day": "2024-01-01", "ts": "2024-01-01 10:00:00"},
        {"id": 2, "who": "a", "amount": "2.25", "day": "2024-01-02", "ts": "2024-01-01 11:00:00"},
        {"id": 3, "who": "b", "amount": None, "day": None, "ts": "2024-01-01 12:00:00"},
    ])
    return seed_table_ddl(
        "orders",
        [("id", "INT"), ("who", "STRING"), ("amount", "DECIMAL(10, 2)"), ("day", "DATE"),
         ("ts", "TIMESTAMP(3)")],
        path,
        watermark="ts",
    )


@pytest.mark.slow
@pytest.mark.flink
def test_batch_query_types(flink_runner, seeded) -> None:
    env = flink_runner.environment("batch", [seeded])
    got = flink_runner.query(env, "SELECT id, who, amount, `day` FROM orders ORDER BY id")
    assert got.columns == ["id", "who", "amount", "day"]
    assert got.rows == [
        (1, "a", Decimal("1.50"), dt.date(2024, 1, 1)),
        (2, "a", Decimal("2.25"), dt.date(2024, 1, 2)),
        (3, "b", None, None),
    ]


@pytest.mark.slow
@pytest.mark.flink
def test_streaming_changelog_is_folded(flink_runner, seeded) -> None:
    env = flink_runner.environment("streaming", [seeded])
    got = flink_runner.query(env, "SELECT who, COUNT(*) AS n FROM orders GROUP BY who")
    assert sorted(got.rows) == [("a", 2), ("b", 1)]
    assert got.changelog_rows > len(got.rows)  # +I a 1, -U a 1, +U a 2, +I b 1
    assert got.unmatched_retractions == 0
    windowed = flink_runner.query(
        env,
        "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), "
        "INTERVAL '1' HOUR)) GROUP BY window_start, window_end",
    )
    assert len(windowed.rows) == 3  # bounded source: the final watermark closes every window


@pytest.mark.slow
@pytest.mark.flink
def test_errors_are_mapped(flink_runner, seeded) -> None:
    env = flink_runner.environment("batch", [seeded])
    with pytest.raises(FlinkExecutionError) as info:
        flink_runner.query(env, "SELECT nope FROM orders", statement=4)
    assert info.value.error.statement == 4
    assert "nope" in info.value.error.message
    assert "py4j" not in str(info.value).lower()
    with pytest.raises(FlinkExecutionError) as info:  # a run-time failure
        flink_runner.query(env, "SELECT CAST(who AS INT) FROM orders")
    assert info.value.error.message


@pytest.mark.slow
@pytest.mark.flink
def test_timeout_cancels_the_job_and_the_next_query_runs(flink_runner, seeded) -> None:
    """A job past its limit is cancelled even when it sends no rows; the JVM stays usable."""
    endless = (
        "CREATE TEMPORARY TABLE endless (n BIGINT) WITH ('connector' = 'datagen', "
        "'rows-per-second' = '1000', 'fields.n.min' = '1', 'fields.n.max' = '10')"
    )
    env = flink_runner.environment("streaming", [seeded, endless])
    started = time.perf_counter()
    with pytest.raises(FlinkExecutionError) as info:  # unbounded, and no row ever comes out
        flink_runner.query(env, "SELECT n FROM endless WHERE n > 100",
                           statement=3, timeout_s=2)
    elapsed = time.perf_counter() - started
    assert elapsed < 40, elapsed
    assert info.value.error.statement == 3
    assert "time limit of 2 s" in info.value.error.message
    message = info.value.error.message
    assert "job status CANCELED" in message or "job status stopped" in message, message
    got = flink_runner.query(env, "SELECT who, COUNT(*) AS n FROM orders GROUP BY who")
    assert sorted(got.rows) == [("a", 2), ("b", 1)]
    batch = flink_runner.environment("batch", [seeded])
    assert flink_runner.query(batch, "SELECT COUNT(*) FROM orders").rows == [(3,)]
