"""The on-disk answer cache: content-addressed keys, atomic entries, re-runs without calls."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_ollama import FakeOllama, Reply, answer, by_node

import shiftleft
from shiftleft.llm import LLMConfig
from shiftleft.llm.cache import AnswerCache, request_key
from shiftleft.llm.config import DEFAULT_HOST, DEFAULT_MODEL

MakeConfig = Callable[..., LLMConfig]
MESSAGES = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
SQL = "SELECT str_distance(a, b) AS d, my_udf(c) FROM t;\nSELECT str_distance(a, b) FROM u"


def test_key_is_deterministic_and_content_addressed() -> None:
    key = request_key("m", MESSAGES, {"type": "object", "a": 1}, {"seed": 0, "temperature": 0})
    assert key == request_key("m", [dict(m) for m in MESSAGES], {"a": 1, "type": "object"}, {"temperature": 0, "seed": 0})
    assert re.fullmatch("[0-9a-f]{64}", key), key  # a sha256 hex digest
    assert key != request_key("m2", MESSAGES, {"type": "object", "a": 1}, {"seed": 0, "temperature": 0})
    assert key != request_key("m", MESSAGES[:1], {"type": "object", "a": 1}, {"seed": 0, "temperature": 0})
    assert key != request_key("m", MESSAGES, None, {"seed": 0, "temperature": 0})


def test_put_get_round_trip_is_atomic(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path)
    key = request_key("m", MESSAGES, None, None)
    assert cache.get(key) is None
    cache.put(key, '{"flink_sql": "x"}', model="m", messages=MESSAGES)
    assert cache.get(key) == '{"flink_sql": "x"}'
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [f"{key[:2]}/{key}.json"]  # no temporary files left behind
    entry = json.loads(cache.path(key).read_text())
    assert entry["model"] == "m" and entry["messages"] == MESSAGES and entry["key"] == key


def test_corrupt_or_foreign_entries_are_misses(tmp_path: Path) -> None:
    cache = AnswerCache(tmp_path)
    key = request_key("m", MESSAGES, None, None)
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_text("{not json")
    assert cache.get(key) is None
    cache.path(key).write_text(json.dumps({"key": "other", "content": "x"}))
    assert cache.get(key) is None


def test_unwritable_cache_is_not_fatal(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = AnswerCache(blocker / "cache")  # a directory below a regular file cannot exist
    cache.put("ab" * 32, "x", model="m", messages=MESSAGES)
    assert cache.get("ab" * 32) is None


def test_rerun_makes_no_calls_and_is_byte_identical(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node(
        {"STR_DISTANCE": [answer("CHAR_LENGTH(x)"), answer("CHAR_LENGTH(a) + CHAR_LENGTH(b)")], "MY_UDF": [answer("UPPER(c)")]}
    )
    first = shiftleft.transpile(SQL, llm=llm_config())
    assert len(fake_ollama.chats) == 3  # STR_DISTANCE twice (one retry), MY_UDF once
    fake_ollama.responder = lambda body: Reply(status=500, error="must not be asked again")
    second = shiftleft.transpile(SQL, llm=llm_config())
    assert len(fake_ollama.chats) == 3
    assert second.model_dump_json() == first.model_dump_json()
    assert [d.rule_id for d in second.diagnostics] == ["SL9101", "SL9101", "SL9101"]


def test_cache_is_shared_by_model_only(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("CHAR_LENGTH(a)")], "MY_UDF": [answer("UPPER(c)")]})
    shiftleft.transpile(SQL, llm=llm_config())
    assert len(fake_ollama.chats) == 2
    shiftleft.transpile(SQL, llm=llm_config(model="another:7b"))
    assert len(fake_ollama.chats) == 4
    shiftleft.transpile(SQL, llm=llm_config(use_cache=False))
    assert len(fake_ollama.chats) == 6


def test_failures_are_not_cached(fake_ollama: FakeOllama, llm_config: MakeConfig) -> None:
    fake_ollama.responder = lambda body: Reply(status=500, error="busy")
    shiftleft.transpile("SELECT str_distance(a, b) FROM t", llm=llm_config())
    fake_ollama.responder = by_node({"STR_DISTANCE": [answer("CHAR_LENGTH(a)")]})
    result = shiftleft.transpile("SELECT str_distance(a, b) FROM t", llm=llm_config())
    assert [d.rule_id for d in result.diagnostics] == ["SL9101"]
    assert len(fake_ollama.chats) == 2


def test_config_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.delenv("SHIFTLEFT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    config = LLMConfig()
    assert (config.enabled, config.model, config.max_retries, config.stream, config.use_cache) == (
        True, DEFAULT_MODEL, 2, False, True
    )
    assert config.model == "qwen2.5-coder:32b"
    assert config.resolved_host() == DEFAULT_HOST == "http://127.0.0.1:11434"
    assert config.resolved_cache_dir() == tmp_path / "xdg" / "shiftleft" / "llm"
    monkeypatch.setenv("OLLAMA_HOST", "http://gpu-box:11434")
    monkeypatch.setenv("SHIFTLEFT_CACHE_DIR", str(tmp_path / "sl"))
    assert config.resolved_host() == "http://gpu-box:11434"
    assert config.resolved_cache_dir() == tmp_path / "sl" / "llm"
    assert LLMConfig(host="h:1", cache_dir=tmp_path).resolved_host() == "h:1"
    assert LLMConfig(cache_dir=tmp_path).resolved_cache_dir() == tmp_path
    with pytest.raises(ValueError):
        LLMConfig(max_retries=-1)
    with pytest.raises(ValueError):
        LLMConfig(timeout_s=0)
    with pytest.raises(ValueError):
        LLMConfig(modle="typo")  # type: ignore[call-arg]


def test_bad_llm_argument_is_a_config_error() -> None:
    with pytest.raises(shiftleft.ConfigError, match="llm must be"):
        shiftleft.transpile("SELECT 1", llm="yes")  # type: ignore[arg-type]
