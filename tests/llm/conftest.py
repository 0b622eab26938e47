"""Fixtures of the LLM fallback tests: a scripted fake Ollama server on 127.0.0.1.

The tests run the real ``ollama`` client (and so real HTTP) against it; nothing leaves the
machine.  Client timeouts are kept at or below a second so the suite stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ollama", reason="the LLM fallback tests need the ollama client (shiftleft[llm])")

from fake_ollama import FakeOllama

from shiftleft.llm import LLMConfig

#: client timeout used by the tests (seconds)
TEST_TIMEOUT_S = 1.0

#: the caller's OLLAMA_HOST, read before any test clears it (for the live_llm tests only)
_LIVE_OLLAMA_HOST = os.environ.get("OLLAMA_HOST")


@pytest.fixture(autouse=True)
def _no_llm_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test depends on the caller's OLLAMA_HOST, cache directory, or API key."""
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    monkeypatch.setenv("SHIFTLEFT_CACHE_DIR", str(tmp_path / "default-cache"))


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    with FakeOllama() as server:
        yield server


@pytest.fixture
def llm_config(fake_ollama: FakeOllama, tmp_path: Path) -> Callable[..., LLMConfig]:
    """``llm_config(**overrides)``: a config for the fake server with a per-test cache."""

    def make(**overrides: Any) -> LLMConfig:
        values: dict[str, Any] = {
            "host": fake_ollama.url,
            "cache_dir": tmp_path / "llm-cache",
            "timeout_s": TEST_TIMEOUT_S,
            "model": "fake-coder:1b",
        }
        values.update(overrides)
        return LLMConfig(**values)

    return make


@pytest.fixture
def live_ollama_host() -> str | None:
    """``OLLAMA_HOST`` as it was when the session started (None when unset)."""
    return _LIVE_OLLAMA_HOST
