"""Output folders: never an input, locked for a run, and a run killed at any point followed
by a re-run leaves exactly what a clean run leaves (transpile --out and migrate)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shiftleft.batch import transpile_files
from shiftleft.cli import main
from shiftleft.errors import OutputError
from shiftleft.files import OutputLock, remove_stale_temps, write_atomically

ROOT = Path(__file__).resolve().parents[2]
SHIFTLEFT = [sys.executable, "-m", "shiftleft"]
#: kill / re-run rounds per test (CI: 2; a longer local run: SHIFTLEFT_KILL_RUNS=30)
KILL_RUNS = int(os.environ.get("SHIFTLEFT_KILL_RUNS", "2"))


def _models(folder: Path, n: int) -> Path:
    for i in range(n):
        sub = folder / f"part{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"m{i:03d}.sql").write_text(
            f"SELECT id, nvl(a{i}, 0) AS v, datediff(d, d2) AS days FROM t{i} WHERE s != 'x{i}';\n"
            + ("SELECT levenshtein(a, b) FROM t;\n" if i % 5 == 0 else "")
        )
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_out_must_not_be_an_input_inside_one_or_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    models = _models(tmp_path / "models", 3)
    before = _tree(models)
    for out in (models, models / "part1", models / "flink"):
        with pytest.raises(OutputError, match="input folder"):
            transpile_files([models], out_dir=out)
        assert main(["transpile", str(models), "--out", str(out)]) == 2
        assert "error [SL0012]" in capsys.readouterr().err
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    with pytest.raises(OutputError, match="existing file"):
        transpile_files([models], out_dir=afile)
    single = models / "part0" / "m000.sql"
    with pytest.raises(OutputError, match="input"):
        transpile_files([single], out_dir=models / "part0")
    assert _tree(models) == before  # nothing was written over the sources


def test_a_second_run_on_a_locked_folder_is_refused(tmp_path: Path) -> None:
    models = _models(tmp_path / "models", 2)
    out = tmp_path / "out"
    with OutputLock(out):
        with pytest.raises(OutputError, match=r"another shiftleft run \(pid \d+\) is writing to"):
            transpile_files([models], out_dir=out)
        proc = subprocess.run(
            [*SHIFTLEFT, "transpile", str(models), "--out", str(out)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 2 and f"pid {os.getpid()}" in proc.stderr and "Traceback" not in proc.stderr
    assert not (out / ".shiftleft.lock").exists()
    assert len(transpile_files([models], out_dir=out)) == 2  # free again
    assert not (out / ".shiftleft.lock").exists()


def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    write_atomically(tmp_path / "a" / "x.sql", b"1")
    left = tmp_path / "a" / f".x.sql.{'0' * 32}.tmp"
    left.write_bytes(b"partial")
    keep = tmp_path / "a" / ".hidden.tmp"
    keep.write_bytes(b"user file")
    assert remove_stale_temps(tmp_path) == 1
    assert not left.exists() and keep.exists() and (tmp_path / "a" / "x.sql").read_bytes() == b"1"


def _kill_at_random(argv: list[str], rng: random.Random, longest_s: float) -> None:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.0, longest_s))
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
def test_transpile_killed_at_random_points_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    models = _models(tmp_path / "models", 60)
    clean = tmp_path / "clean"
    argv = [*SHIFTLEFT, "transpile", str(models), "--jobs", "1", "--out"]
    start = time.monotonic()
    subprocess.run([*argv, str(clean)], check=False, capture_output=True)
    took = time.monotonic() - start
    expected = _tree(clean)
    assert len(expected) == 60
    rng = random.Random(int(os.environ.get("SHIFTLEFT_KILL_SEED", "15")))
    for run in range(KILL_RUNS):
        out = tmp_path / f"killed{run}"
        _kill_at_random([*argv, str(out)], rng, took)
        if run % 2:  # a second kill before the re-run
            _kill_at_random([*argv, str(out)], rng, took)
        subprocess.run([*argv, str(out)], check=False, capture_output=True)
        assert _tree(out) == expected, f"run {run}"


@pytest.mark.slow
def test_migrate_killed_at_random_points_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    project = ROOT / "examples" / "dbt_shop"
    # --no-plan: migrate plans every table before it writes a file, and the planner (a JVM
    # started per process) is most of a run; without it the kills below land in the writing
    argv = [*SHIFTLEFT, "migrate", str(project), "--jobs", "1", "--no-progress", "--no-plan", "--out"]
    clean = tmp_path / "clean"
    start = time.monotonic()
    subprocess.run([*argv, str(clean)], check=False, capture_output=True)
    took = time.monotonic() - start
    expected = _tree(clean)
    assert any(name.endswith("state.json") for name in expected)
    rng = random.Random(int(os.environ.get("SHIFTLEFT_KILL_SEED", "13")))
    for run in range(KILL_RUNS):
        out = tmp_path / f"killed{run}"
        # kill late in the run, where files are being written
        proc = subprocess.Popen([*argv, str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5 * took, took))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        rerun = subprocess.run([*argv, str(out)], check=False, capture_output=True, text=True)
        assert "kept" not in rerun.stdout, rerun.stdout
        assert _tree(out) == expected, f"run {run}"
    shutil.rmtree(tmp_path / "clean")
