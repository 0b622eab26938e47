"""``OllamaChat``: the real ``ollama`` client against the fake server; every failure becomes
an ``LLMUnavailable`` with a reason, never an ``ollama`` / ``httpx`` exception."""

from __future__ import annotations

import time

import pytest
from fake_ollama import FakeOllama, Reply, free_port_without_server

from shiftleft.llm.client import LLMUnavailable, OllamaChat
from shiftleft.llm.prompt import ANSWER_FORMAT, CHAT_OPTIONS

MESSAGES = [{"role": "user", "content": "hello"}]


def chat(host: str, *, stream: bool = False, timeout_s: float = 1.0) -> str:
    client = OllamaChat(host, timeout_s=timeout_s, stream=stream)
    return client.chat("m:1b", MESSAGES, format=ANSWER_FORMAT, options=CHAT_OPTIONS)


@pytest.mark.parametrize("stream", [False, True])
def test_answer_text(fake_ollama: FakeOllama, stream: bool) -> None:
    fake_ollama.responder = lambda body: Reply(content='{"flink_sql": "1", "explanation": "one"}')
    assert chat(fake_ollama.url, stream=stream) == '{"flink_sql": "1", "explanation": "one"}'
    (body,) = fake_ollama.chats
    assert body == {
        "model": "m:1b",
        "messages": MESSAGES,
        "tools": [],
        "stream": stream,
        "format": ANSWER_FORMAT,
        "options": CHAT_OPTIONS,
    }


def _fails(host: str, *, kind: str, fatal: bool, match: str, **kwargs: object) -> LLMUnavailable:
    with pytest.raises(LLMUnavailable) as info:
        chat(host, **kwargs)  # type: ignore[arg-type]
    error = info.value
    assert (error.kind, error.fatal) == (kind, fatal)
    assert match in error.reason
    assert error.__cause__ is None and error.__suppress_context__
    return error


def test_refused_connection() -> None:
    _fails(f"http://127.0.0.1:{free_port_without_server()}", kind="connection", fatal=True, match="cannot connect")


@pytest.mark.parametrize("stream", [False, True])
def test_timeout(fake_ollama: FakeOllama, stream: bool) -> None:
    fake_ollama.responder = lambda body: Reply(content="late", delay_s=3)
    start = time.monotonic()
    _fails(fake_ollama.url, kind="timeout", fatal=False, match="no answer within 0.2 s", stream=stream, timeout_s=0.2)
    assert time.monotonic() - start < 1.5


@pytest.mark.parametrize("stream", [False, True])
def test_http_errors(fake_ollama: FakeOllama, stream: bool) -> None:
    fake_ollama.responder = lambda body: Reply(status=500, error="boom")
    _fails(fake_ollama.url, kind="server", fatal=False, match="HTTP 500: boom", stream=stream)
    fake_ollama.responder = lambda body: Reply(status=404, error="model 'm:1b' not found")
    _fails(fake_ollama.url, kind="model", fatal=True, match="model 'm:1b' not available", stream=stream)


def test_error_line_in_a_stream(fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = lambda body: Reply(content="abcdef", stream_error="model crashed")
    _fails(fake_ollama.url, kind="server", fatal=False, match="model crashed", stream=True)


@pytest.mark.parametrize("stream", [False, True])
def test_not_ollamas_api(fake_ollama: FakeOllama, stream: bool) -> None:
    fake_ollama.responder = lambda body: Reply(raw=b"<html>proxy login</html>")
    _fails(fake_ollama.url, kind="protocol", fatal=False, match="malformed answer", stream=stream)


def test_missing_client(monkeypatch: pytest.MonkeyPatch, fake_ollama: FakeOllama) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ollama", None)
    _fails(fake_ollama.url, kind="missing-client", fatal=True, match="install shiftleft[llm]")
    assert fake_ollama.chats == []


@pytest.mark.parametrize("stream", [False, True])
def test_a_trickling_server_cannot_hold_the_call_past_its_deadline(fake_ollama: FakeOllama, stream: bool) -> None:
    # each byte arrives well within the socket timeout, the whole answer would take ~20 s
    fake_ollama.responder = lambda body: Reply(content='{"flink_sql": "1", "explanation": "' + "x" * 200 + '"}', trickle_s=0.05)
    start = time.monotonic()
    _fails(fake_ollama.url, kind="timeout", fatal=False, match="no answer within 0.5 s", stream=stream, timeout_s=0.5)
    assert time.monotonic() - start < 1.5
