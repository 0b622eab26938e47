"""Same input, same bytes: across processes with different hash seeds.

Set and dict iteration order of strings changes with ``PYTHONHASHSEED``; output that depends
on it would differ between two runs of the same migration.  Each case runs the real CLI in
two fresh interpreters with different seeds and compares every byte written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], seed: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-m", "shiftleft", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".shiftleft" not in p.parts
    }


# A streaming join and aggregation into a sink: derived keys (sets of columns), the sink's
# primary key, state TTL hints naming the join inputs, all from set-valued derivations.
STREAMING_SQL = """
SELECT o.customer_id, o.region, c.segment, count(*) AS n, sum(o.amount) AS total
FROM orders o JOIN customers c ON o.customer_id = c.id
GROUP BY o.customer_id, o.region, c.segment
"""
SCHEMA = (
    '{"orders": {"customer_id": "INT", "region": "STRING", "amount": "INT", "ts": "TIMESTAMP"},'
    ' "customers": {"id": "INT", "segment": "STRING"}}'
)


@pytest.mark.slow
def test_transpile_output_is_independent_of_the_hash_seed(tmp_path: Path) -> None:
    (tmp_path / "q.sql").write_text(STREAMING_SQL)
    (tmp_path / "schema.json").write_text(SCHEMA)
    args = ["transpile", "q.sql", "--schema", "schema.json", "--event-time", "orders=ts",
            "--sink", "totals", "--format", "json"]
    runs = [_run(args, seed, tmp_path) for seed in ("1", "4242")]
    assert runs[0].returncode == runs[1].returncode
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout
    assert runs[0].stderr == runs[1].stderr


@pytest.mark.slow
def test_migrate_output_is_independent_of_the_hash_seed(tmp_path: Path) -> None:
    outs = []
    for seed in ("7", "31337"):
        out = tmp_path / f"out-{seed}"
        done = _run(["migrate", str(ROOT / "examples" / "dbt_shop"), "--out", str(out)], seed, tmp_path)
        assert done.returncode in (0, 1), done.stderr
        outs.append(_tree(out))
    assert outs[0].keys() == outs[1].keys() and outs[0]
    different = [name for name in outs[0] if outs[0][name] != outs[1][name]]
    assert different == []


@pytest.mark.slow
def test_transpiling_a_corpus_folder_is_independent_of_the_hash_seed(tmp_path: Path) -> None:
    """The dbt-style Spark models of the benchmark corpus (windows, dedup, joins, sessions) and
    the README's Spark example, transpiled as a folder (in worker processes) and written file
    by file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for model in [*(ROOT / "benchmarks" / "corpus" / "dbt_models").glob("*.sql"), ROOT / "examples" / "orders.sql"]:
        (corpus / model.name).write_bytes(model.read_bytes())
    outs = []
    for seed in ("3", "2718"):
        cwd = tmp_path / seed  # the same relative --out: the log names it
        cwd.mkdir()
        done = _run(["transpile", str(corpus), "--out", "out"], seed, cwd)
        assert done.returncode in (0, 1), done.stderr
        outs.append((_tree(cwd / "out"), done.stdout + done.stderr))
    (first, first_log), (second, second_log) = outs
    assert len(first) == len(list(corpus.glob("*.sql"))) and first == second
    assert "SL4009" in first_log and first_log == second_log  # the diagnostics, in the same order
