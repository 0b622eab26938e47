"""Against a real Ollama server, only when ``OLLAMA_HOST`` names one that answers.

Run with ``OLLAMA_HOST=http://127.0.0.1:11434 pytest -m live_llm tests/llm/test_live.py``;
the model is ``SHIFTLEFT_LLM_MODEL`` or the default (it must be pulled).  The model's answer
is not asserted, only that the pipeline completes and classifies the node.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

import shiftleft
from shiftleft.llm import DEFAULT_MODEL, LLMConfig

pytestmark = pytest.mark.live_llm


def _live_host(host: str | None) -> str:
    """The live server's URL, or skip the test with the reason."""
    if not host:
        pytest.skip("no live Ollama server: OLLAMA_HOST is not set")
    from ollama._client import _parse_host

    url = _parse_host(host)
    try:
        with urllib.request.urlopen(f"{url}/api/version", timeout=2) as response:
            json.loads(response.read())
    except Exception as e:  # noqa: BLE001 - any failure means: no server to test against
        pytest.skip(f"no live Ollama server answers at {url}: {e}")
    return url


def test_live_translation(tmp_path: Path, live_ollama_host: str | None) -> None:
    host = _live_host(live_ollama_host)
    model = os.environ.get("SHIFTLEFT_LLM_MODEL", DEFAULT_MODEL)
    config = LLMConfig(host=host, model=model, cache_dir=tmp_path, timeout_s=300)
    result = shiftleft.transpile("SELECT id, str_distance(a, b) AS d FROM t", llm=config)
    ids = {d.rule_id for d in result.diagnostics}
    if "SL9103" in ids:
        pytest.skip(f"the live server cannot answer: {result.diagnostics}")
    assert ids & {"SL9101", "SL9102"}
    rerun = shiftleft.transpile("SELECT id, str_distance(a, b) AS d FROM t", llm=config)
    assert rerun.sql == result.sql  # from the cache
