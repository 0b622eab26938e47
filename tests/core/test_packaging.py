"""The wheel ships the rule packs and grammars and works outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("shiftleft-*.whl")
    return built


def test_wheel_contains_rules_and_grammars(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "shiftleft/_data/grammars/rules.lark" in names
    shipped = {n for n in names if n.startswith("shiftleft/_data/rules/")}
    in_repo = {
        "shiftleft/_data/rules/" + str(p.relative_to(ROOT / "rules"))
        for p in (ROOT / "rules").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert in_repo <= shipped
    # the package's own data files (JSON schemas, generated tables such as dialects/flink_arity.json)
    package_data = {str(p.relative_to(ROOT)) for p in (ROOT / "shiftleft").rglob("*.json")}
    assert package_data and package_data <= set(names)


def test_installed_wheel_transpiles_from_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import shiftleft, shiftleft.resources as r;"
        "assert '_data' in str(r.data_dir('rules')), r.data_dir('rules');"
        "print(shiftleft.transpile('SELECT nvl(a, 0) FROM t').sql, end='')"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "SELECT COALESCE(a, 0) FROM t;\n"
