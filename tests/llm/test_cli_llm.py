"""`shiftleft transpile --llm --llm-host ... --llm-model ...` against the fake Ollama server."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_ollama import FakeOllama, answer, by_node

from shiftleft.cli import main


def test_cli_llm_flags(fake_ollama: FakeOllama, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("CHAR_LENGTH(a) + CHAR_LENGTH(b)", "lengths")]})
    model = tmp_path / "m.sql"
    model.write_text("SELECT str_distance(a, b) AS d FROM t")

    code = main(["transpile", str(model), "--llm", "--llm-host", fake_ollama.url, "--llm-model", "fake-coder:1b"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "CHAR_LENGTH(a) + CHAR_LENGTH(b)" in out and "translated by LLM fake-coder:1b" in out
    assert "warning [SL9101]" in err
    assert len(fake_ollama.chats) == 1 and fake_ollama.chats[0]["model"] == "fake-coder:1b"

    # --no-llm (the default): nothing is asked, the function is reported as unmapped
    code = main(["transpile", str(model), "--no-llm", "--llm-host", fake_ollama.url])
    _, err = capsys.readouterr()
    assert code == 1 and "error [SL9001]" in err and len(fake_ollama.chats) == 1
