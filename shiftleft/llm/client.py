"""A thin wrapper around the official ``ollama`` client's chat API.

It sends one chat request (streamed or not) and returns the answer text.  Every failure of
the client, of HTTP, of the connection or of the server's answer becomes an
:class:`LLMUnavailable` with a one-line reason: no ``ollama`` or ``httpx`` exception escapes.
The ``ollama`` package (extra ``shiftleft[llm]``) is imported on the first request only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class LLMError(Exception):
    """Base class of the LLM fallback's own errors."""


class LLMUnavailable(LLMError):
    """The server could not give an answer.

    ``kind``: ``missing-client`` (``ollama`` not installed), ``connection`` (refused, unknown
    host, connect timeout), ``timeout`` (no complete answer within the time limit), ``model``
    (the server does not have the model), ``server`` (an HTTP error status), ``protocol`` (an
    answer that is not Ollama's chat API).  ``fatal``: asking again in this run is pointless
    (every later request would fail the same way).
    """

    def __init__(self, reason: str, *, kind: str, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.fatal = fatal


class ChatBackend(Protocol):
    """What the fallback needs from a chat client (the tests can substitute their own)."""

    def chat(
        self,
        model: str,
        messages: Sequence[Mapping[str, str]],
        *,
        format: Mapping[str, Any] | None,
        options: Mapping[str, Any] | None,
    ) -> str: ...


def _short(text: object, limit: int = 200) -> str:
    one_line = " ".join(str(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."


class OllamaChat:
    """Chat with one Ollama server through ``ollama.Client``.

    ``timeout_s`` bounds each connect/read/write (httpx's timeout) *and* the whole call: the
    request runs in a helper thread that is abandoned once the deadline passes, so a server
    trickling bytes (each read within the socket timeout) cannot hold the call longer.  A new
    HTTP client is opened per request and closed after it, so no connection outlives a call.
    """

    def __init__(self, host: str, *, timeout_s: float, stream: bool = False) -> None:
        self.host = host
        self.timeout_s = timeout_s
        self.stream = stream

    def chat(
        self,
        model: str,
        messages: Sequence[Mapping[str, str]],
        *,
        format: Mapping[str, Any] | None,
        options: Mapping[str, Any] | None,
    ) -> str:
        """The assistant's answer text; raises :class:`LLMUnavailable` on any failure, and
        ``kind="timeout"`` when no complete answer came within ``timeout_s`` in total."""
        outcome: dict[str, Any] = {}
        clients: list[Any] = []

        def run() -> None:
            try:
                outcome["value"] = self._chat(model, messages, format, options, clients)
            except BaseException as e:  # noqa: BLE001 - handed to the calling thread
                outcome["error"] = e

        worker = threading.Thread(target=run, name="shiftleft-llm", daemon=True)
        worker.start()
        worker.join(self.timeout_s)
        if worker.is_alive():
            for client in clients:  # unblock the abandoned request where httpx allows it
                try:
                    client._client.close()
                except Exception:  # best effort
                    logger.debug("closing the abandoned LLM client failed", exc_info=True)
            raise LLMUnavailable(f"no answer within {self.timeout_s:g} s", kind="timeout") from None
        if "error" in outcome:
            raise outcome["error"]
        return str(outcome["value"])

    def _chat(
        self,
        model: str,
        messages: Sequence[Mapping[str, str]],
        format: Mapping[str, Any] | None,
        options: Mapping[str, Any] | None,
        clients: list[Any],
    ) -> str:
        try:
            import httpx
            import ollama
        except ImportError as e:
            raise LLMUnavailable(
                f"the ollama client is not installed ({e}); install shiftleft[llm]",
                kind="missing-client",
                fatal=True,
            ) from None
        try:
            with ollama.Client(host=self.host, timeout=self.timeout_s) as client:
                clients.append(client)
                if self.stream:
                    return self._streamed(client, model, messages, format, options)
                response = client.chat(
                    model=model, messages=list(messages), format=format, options=options, stream=False
                )
                return _content(response)
        except LLMUnavailable:
            raise
        except ollama.ResponseError as e:
            status = getattr(e, "status_code", -1)
            error = _short(getattr(e, "error", e))
            if status == 404:
                raise LLMUnavailable(f"model {model!r} not available: {error}", kind="model", fatal=True) from None
            if status in (401, 403):
                raise LLMUnavailable(f"HTTP {status}: {error}", kind="server", fatal=True) from None
            where = f"HTTP {status}" if status and status > 0 else "server error"
            raise LLMUnavailable(f"{where}: {error}", kind="server") from None
        except ollama.RequestError as e:
            raise LLMUnavailable(f"bad request: {_short(e)}", kind="protocol") from None
        except ConnectionError:  # what ollama raises for httpx.ConnectError (refused, no route, DNS)
            raise LLMUnavailable("cannot connect", kind="connection", fatal=True) from None
        except httpx.ConnectTimeout:
            raise LLMUnavailable(f"connect timed out after {self.timeout_s:g} s", kind="connection", fatal=True) from None
        except httpx.TimeoutException:
            raise LLMUnavailable(f"no answer within {self.timeout_s:g} s", kind="timeout") from None
        except httpx.TransportError as e:
            raise LLMUnavailable(f"transport error: {type(e).__name__}: {_short(e)}", kind="connection") from None
        except httpx.HTTPError as e:
            raise LLMUnavailable(f"HTTP error: {type(e).__name__}: {_short(e)}", kind="server") from None
        except (ValueError, TypeError, KeyError) as e:  # bad JSON / not a ChatResponse
            raise LLMUnavailable(f"malformed answer from the server: {type(e).__name__}: {_short(e)}", kind="protocol") from None
        except Exception as e:
            logger.debug("unexpected error from the ollama client", exc_info=True)
            raise LLMUnavailable(f"{type(e).__name__}: {_short(e)}", kind="protocol") from None

    def _streamed(
        self,
        client: Any,
        model: str,
        messages: Sequence[Mapping[str, str]],
        format: Mapping[str, Any] | None,
        options: Mapping[str, Any] | None,
    ) -> str:
        deadline = time.monotonic() + self.timeout_s
        parts: list[str] = []
        done = False
        for chunk in client.chat(model=model, messages=list(messages), format=format, options=options, stream=True):
            parts.append(_content(chunk))
            if getattr(chunk, "done", False):
                done = True
                break
            if time.monotonic() > deadline:
                raise LLMUnavailable(f"no answer within {self.timeout_s:g} s", kind="timeout") from None
        if not done:
            raise LLMUnavailable("the streamed answer ended before 'done'", kind="protocol")
        return "".join(parts)


def _content(response: Any) -> str:
    message = getattr(response, "message", None)
    content = getattr(message, "content", None) if message is not None else None
    if content is None:
        return ""
    if not isinstance(content, str):
        raise TypeError(f"message content is {type(content).__name__}, not text")
    return content


__all__ = ["ChatBackend", "LLMError", "LLMUnavailable", "OllamaChat"]
