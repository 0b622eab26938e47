"""The benchmark runner works end to end (figures are reported, not asserted: see benchmarks/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_benchmark_run(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert {t["corpus"] for t in data["throughput"]} == {"dbt-models", "tpch"}
    tpch = next(t for t in data["throughput"] if t["corpus"] == "tpch")
    assert tpch["queries"] + tpch["skipped"] == 22
    assert tpch["queries"] >= 20, "shiftleft should read (almost) every TPC-H query"
    assert all(t["ratio"] > 0 for t in data["throughput"])
    assert [s["scale"] for s in data["scaling"]] == [1, 4, 16]
    assert data["project"]["models"] == 200
    assert "| corpus |" in proc.stdout
