"""Translating many files: shiftleft.transpile_files and `shiftleft transpile DIR --out`."""

from __future__ import annotations

from pathlib import Path

import pytest

import shiftleft
from shiftleft.cli import main


@pytest.fixture
def project(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    (models / "staging").mkdir(parents=True)
    (models / "marts").mkdir()
    (models / "staging" / "stg_a.sql").write_text("SELECT nvl(a, 0) AS a FROM src_a")
    (models / "staging" / "stg_b.sql").write_text("SELECT levenshtein(a, b) AS d FROM src_b")
    (models / "marts" / "fct.sql").write_text("SELECT a, count(*) AS n FROM stg_a GROUP BY a")
    (models / "README.md").write_text("not sql")
    return models


def test_parallel_equals_sequential_and_keeps_order(project: Path, tmp_path: Path) -> None:
    seq = shiftleft.transpile_files([project], jobs=1)
    par = shiftleft.transpile_files([project], jobs=2, out_dir=tmp_path / "out")
    assert [r.path for r in seq] == [r.path for r in par] == sorted(r.path for r in seq)
    assert [r.result.sql for r in seq] == [r.result.sql for r in par]  # type: ignore[union-attr]
    assert [r.ok for r in par] == [True, True, False]  # marts/fct, stg_a, stg_b (unmapped)
    out = tmp_path / "out"
    assert (out / "staging" / "stg_a.sql").read_text() == "SELECT COALESCE(a, 0) AS a FROM src_a;\n"
    assert (out / "marts" / "fct.sql").exists() and not list(out.rglob("*.tmp"))


def test_unreadable_sql_is_reported_per_file(project: Path) -> None:
    (project / "marts" / "broken.sql").write_text("SELECT FROM WHERE")
    results = shiftleft.transpile_files([project], jobs=2)
    broken = next(r for r in results if r.path.endswith("broken.sql"))
    assert broken.result is None and "cannot parse" in (broken.error or "")
    assert sum(r.result is not None for r in results) == 3


def test_bad_options_fail_once_up_front(project: Path) -> None:
    with pytest.raises(shiftleft.ConfigError, match="unknown target"):
        shiftleft.transpile_files([project], target="kafka")
    with pytest.raises(shiftleft.ConfigError, match="no such file or directory"):
        shiftleft.transpile_files([project / "missing"])


def test_cli_directory_to_out(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["transpile", str(project), "--out", str(tmp_path / "o"), "--jobs", "2"])
    _, err = capsys.readouterr()
    assert code == 1  # stg_b has an unmapped function
    assert "stg_b.sql:1:8: error [SL9001]" in err and "wrote 3 of 3 files" in err
    assert (tmp_path / "o" / "staging" / "stg_a.sql").exists()


def test_cli_several_files_to_stdout(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, f = project / "staging" / "stg_a.sql", project / "marts" / "fct.sql"
    code = main(["transpile", str(a), str(f)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out == f"-- {a}\nSELECT COALESCE(a, 0) AS a FROM src_a;\n-- {f}\nSELECT a, COUNT(*) AS n FROM stg_a GROUP BY a;\n"
