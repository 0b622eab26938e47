"""A scripted stand-in for an Ollama server, for tests of the real ``ollama`` client.

It listens on 127.0.0.1 (a free port) in a background thread and speaks the parts of Ollama's
HTTP API the client uses: ``POST /api/chat`` (a single JSON object, or with ``"stream": true``
an NDJSON stream sent with chunked transfer encoding, one message fragment per line and a last
line with ``"done": true``), ``GET /api/version`` and ``GET /api/tags``.

Answers are scripted per request by a *responder* (a function of the request body returning a
:class:`Reply`); :func:`by_node` builds one that picks replies by the SQL in the last user
message.  Every request body is recorded in :attr:`FakeOllama.requests`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL_TIME = "2025-01-01T00:00:00Z"


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``content``: the assistant message text; ``delay_s``: wait this long before answering (a
    slow model); ``status``/``error``: an HTTP error with Ollama's ``{"error": ...}`` body;
    ``raw``: send these bytes as the body instead (not Ollama's API); ``stream_error``: in a
    stream, an ``{"error": ...}`` line after the first fragment.
    """

    content: str = ""
    delay_s: float = 0.0
    status: int = 200
    error: str | None = None
    raw: bytes | None = None
    stream_error: str | None = None
    #: send the body one byte at a time, this many seconds apart (a trickling server)
    trickle_s: float = 0.0


def answer(flink_sql: str, explanation: str = "scripted") -> Reply:
    """A well-formed structured answer."""
    return Reply(content=json.dumps({"flink_sql": flink_sql, "explanation": explanation}))


Responder = Callable[[dict[str, Any]], Reply]


def first_user_message(body: Mapping[str, Any]) -> str:
    return next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")


def by_node(script: Mapping[str, Sequence[Reply]], default: Reply | None = None) -> Responder:
    """Replies chosen by the first key found in the request's first user message (the node),
    the n-th request about a node getting the n-th reply (the last one repeats)."""
    counts: dict[str, int] = {}
    lock = threading.Lock()

    def respond(body: dict[str, Any]) -> Reply:
        prompt = first_user_message(body)
        for key, replies in script.items():
            if key in prompt:
                with lock:
                    n = counts.get(key, 0)
                    counts[key] = n + 1
                return replies[min(n, len(replies) - 1)]
        return default or Reply(status=500, error=f"no scripted reply for {prompt[:80]!r}")

    return respond


class FakeOllama:
    """The server; use as a context manager or call :meth:`start` / :meth:`stop`."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder: Responder = responder or (lambda body: Reply(status=500, error="no responder"))
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def chats(self) -> list[dict[str, Any]]:
        """The recorded ``/api/chat`` request bodies."""
        with self._lock:
            return list(self.requests)

    def start(self) -> FakeOllama:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-ollama", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            trickle_s = 0.0

            def _json(self, status: int, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self._send(data)

            def _send(self, data: bytes) -> None:
                if not self.trickle_s:
                    self.wfile.write(data)
                    return
                for i in range(len(data)):
                    if fake._stopping.wait(self.trickle_s):
                        return
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()

            def do_GET(self) -> None:
                with fake._lock:
                    fake.paths.append(self.path)
                if self.path == "/api/version":
                    self._json(200, {"version": "0.6.0-fake"})
                elif self.path == "/api/tags":
                    self._json(200, {"models": [{"name": "fake", "model": "fake"}]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    fake.paths.append(self.path)
                if self.path != "/api/chat":
                    self._json(404, {"error": f"{self.path} not implemented"})
                    return
                body = json.loads(raw)
                with fake._lock:
                    fake.requests.append(body)
                reply = fake.responder(body)
                if reply.delay_s and fake._stopping.wait(reply.delay_s):
                    return
                self.trickle_s = reply.trickle_s
                try:
                    self._reply(body, reply)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def _reply(self, body: Mapping[str, Any], reply: Reply) -> None:
                model = body.get("model", "")
                if reply.raw is not None:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply.raw)))
                    self.end_headers()
                    self.wfile.write(reply.raw)
                    return
                if reply.status != 200 or reply.error is not None:
                    self._json(reply.status, {"error": reply.error or "error"})
                    return
                if not body.get("stream", True):
                    self._json(
                        200,
                        {
                            "model": model,
                            "created_at": MODEL_TIME,
                            "message": {"role": "assistant", "content": reply.content},
                            "done": True,
                            "done_reason": "stop",
                        },
                    )
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                text = reply.content
                step = max(1, len(text) // 3)
                fragments = [text[i : i + step] for i in range(0, len(text), step)] or [""]
                for i, fragment in enumerate(fragments):
                    self._chunk({"model": model, "created_at": MODEL_TIME, "message": {"role": "assistant", "content": fragment}, "done": False})
                    if i == 0 and reply.stream_error is not None:
                        self._chunk({"error": reply.stream_error})
                        break
                else:
                    self._chunk(
                        {
                            "model": model,
                            "created_at": MODEL_TIME,
                            "message": {"role": "assistant", "content": ""},
                            "done": True,
                            "done_reason": "stop",
                        }
                    )
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _chunk(self, payload: object) -> None:
                line = json.dumps(payload).encode() + b"\n"
                self._send(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                self.wfile.flush()

        return Handler


def free_port_without_server() -> int:
    """A local port nobody listens on (connections to it are refused)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
