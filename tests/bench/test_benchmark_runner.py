"""The benchmark runner works end to end (figures are reported, not asserted: see benchmarks/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from project_gen import generate_project, refs
from scaling import SHAPES

import shiftleft


@pytest.mark.slow
def test_smoke_benchmark_run(tmp_path: Path) -> None:
    """Every figure of a run is produced and has the right form (``--smoke``: the quick run's
    code paths, with tiny inputs and one round)."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert {t["corpus"] for t in data["throughput"]} == {"dbt-models", "tpch", "streaming-gen (seed 2026)"}
    tpch = next(t for t in data["throughput"] if t["corpus"] == "tpch")
    assert tpch["queries"] + tpch["skipped"] == 22
    assert tpch["queries"] >= 20, "shiftleft should read (almost) every TPC-H query"
    generated = next(t for t in data["throughput"] if t["corpus"].startswith("streaming-gen"))
    assert generated["queries"] == 10 and generated["skipped"] == 0, "both sides read every generated query"
    assert all(t["ratio"] > 0 and t["paired_ratio"] > 0 for t in data["throughput"])
    assert [s["scale"] for s in data["scaling"]] == [1, 4]
    assert {e["shape"] for e in data["exponents"]} == {shape.name for shape in SHAPES}
    assert all(e["exponent"] > 0 for e in data["exponents"])
    project = data["project"]
    assert project["models"] == project["rendered_models"] == 20
    assert project["counts"]["failed"] == 0 and project["files_written"] > 20
    assert project["ratio"] > 0 and project["sqlglot_seconds"] > 0
    assert data["files"]["models"] == 30
    assert "| dbt project |" in proc.stdout
    assert "| corpus |" in proc.stdout
    assert "| shape |" in proc.stdout


def test_large_script_figure(tmp_path: Path) -> None:
    """The large-script runner measures one CLI process (a small script here)."""
    from script_memory import run_cli, write_script

    script = tmp_path / "s.sql"
    assert write_script(script, 0.01) > 5000
    row = run_cli(script, "batch", tmp_path / "out.sql")
    assert row["exit"] in (0, 1) and row["peak_rss_mib"] > 10 and row["output_bytes"] > 5000


def test_generated_streaming_queries_are_deterministic_and_varied() -> None:
    from streaming_gen import streaming_queries

    queries = streaming_queries(50, seed=3)
    assert queries == streaming_queries(50, seed=3) != streaming_queries(50, seed=4)
    assert len(set(queries)) > 40


def _models(root: Path) -> dict[str, Path]:
    return {f.stem: f for f in sorted((root / "models").rglob("*.sql"))}


def test_generated_project_is_a_dag_of_existing_models(tmp_path: Path) -> None:
    root = generate_project(tmp_path / "project", 60)
    models = _models(root)
    assert len(models) == 60
    seeds = {f.stem for f in (root / "seeds").glob("*.csv")}
    order = {name: int(name.rsplit("_", 1)[1]) for name in models}  # names end in their index
    for name, file in models.items():
        for parent in refs(file.read_text()):
            assert parent in models or parent in seeds, (
                f"{name} refs {parent}, which does not exist"
            )
            if parent in models:
                assert order[parent] < order[name], f"{name} refs {parent}, which comes after it"
    again = generate_project(tmp_path / "again", 60)
    assert {n: f.read_text() for n, f in _models(again).items()} == {
        n: f.read_text() for n, f in models.items()
    }


def test_generated_project_migrates_without_failures(tmp_path: Path) -> None:
    root = generate_project(tmp_path / "project", 60)
    result = shiftleft.migrate(root, tmp_path / "pipelines", read="spark", jobs=1)
    counts = result.counts()
    assert counts["failed"] == counts["needs_llm"] == 0, [
        (t.name, [d.message for d in t.errors]) for t in result.tables if t.errors
    ]
    models = [t for t in result.tables if t.resource_type == "model"]
    assert len(models) == 60 and all(t.rendered_sql for t in models)
    assert counts["inlined"] >= 1 and counts["declared"] >= 3
    assert {t.materialized for t in models} >= {"view", "table", "incremental", "ephemeral"}
    by_name = {t.name: t for t in result.tables}

    def depth(name: str) -> int:
        t = by_name[name]
        return (t.resource_type == "model") + max((depth(p) for p in t.parents), default=0)

    assert 5 <= max(depth(t.name) for t in models) <= 8
    assert (tmp_path / "pipelines" / "migration_report.md").is_file()


def test_plan_benchmark_static_figures(tmp_path: Path) -> None:
    """plan_bench.py measures migrate without plan against the round trip (no JVM here)."""
    from plan_bench import markdown, run

    row = run(None, 20, None, plan=False)
    assert row["tables"] >= 20 and row["rendered"] >= 18
    assert row["static_ms_per_model"] > 0 and row["sqlglot_ms_per_model"] > 0
    parts = ("transpile", "read_back", "typing", "rest")
    assert all(0 < row[f"{k}_ms_per_model"] < row["beyond_render_ms_per_model"] for k in parts)
    assert "beyond rendering" in markdown(row) and "fixed" not in markdown(row)  # no planning figures without a JVM
