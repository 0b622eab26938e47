"""The README's verification example works as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftleft.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.flink]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "verify"


def test_readme_verify_example(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(EXAMPLE)
    assert main(["verify", "model.sql", "--seeds", "seeds", "--schema", "schema.json"]) == 0
    assert "verified" in capsys.readouterr().out
    code = main(
        ["verify", "model.sql", "--seeds", "seeds", "--schema", "schema.json", "--mode", "batch",
         "--translation", "naive_translation.sql"]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "mismatched {'customer': 'ann'}: avg_amount, max_days" in out
    assert "'avg_amount': 6.5" in out and "'max_days': -2" in out
