"""Small JSON-over-HTTP helpers (urllib only) and the JobManager REST API client."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from shiftleft.errors import ShiftleftError


class DeployError(ShiftleftError):
    """A deployment step failed: a statement was rejected, a job failed, an endpoint is down."""


#: job states after which a job never runs again
TERMINAL_STATES = frozenset({"FINISHED", "FAILED", "CANCELED", "CANCELLED", "SUSPENDED"})


def poll_state(
    state: Callable[[str], str], job_id: str, states: frozenset[str], timeout: float, poll: float
) -> str:
    """Call ``state(job_id)`` every ``poll`` seconds until the job is in ``states`` or a
    terminal state; return that state.  Raises :class:`DeployError` on timeout."""
    deadline = time.monotonic() + timeout
    reached = "UNKNOWN"
    while time.monotonic() < deadline:
        reached = state(job_id)
        if reached in states or reached in TERMINAL_STATES:
            return reached
        time.sleep(poll)
    raise DeployError(f"job {job_id} still {reached} after {timeout:.0f} s")


def http_json(
    method: str, url: str, body: Any = None, *, timeout: float = 30.0, headers: dict | None = None
) -> Any:
    """Send ``body`` as JSON, return the decoded JSON answer (None for an empty one).
    Raises :class:`DeployError` with the server's message for an HTTP error or no answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:2000]
        raise DeployError(f"{method} {url}: HTTP {exc.code}: {_errors(detail)}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeployError(f"{method} {url}: no answer ({exc})") from None
    return json.loads(raw) if raw.strip() else None


def _errors(detail: str) -> str:
    try:
        errors = json.loads(detail).get("errors")
    except (ValueError, AttributeError):
        return detail
    return " | ".join(str(e) for e in errors) if errors else detail


class JobManagerApi:
    """The JobManager REST API of a Flink cluster (``http://host:port``)."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def overview(self) -> dict[str, Any]:
        return http_json("GET", f"{self.url}/overview", timeout=self.timeout)

    def jobs(self) -> list[dict[str, Any]]:
        """``/jobs/overview``: id (``jid``), ``name``, ``state`` of every job."""
        return list(http_json("GET", f"{self.url}/jobs/overview", timeout=self.timeout)["jobs"])

    def state(self, job_id: str) -> str:
        return str(http_json("GET", f"{self.url}/jobs/{job_id}", timeout=self.timeout)["state"])

    def failure(self, job_id: str) -> str | None:
        """The root exception of a job (first line of each cause), or None."""
        try:
            answer = http_json("GET", f"{self.url}/jobs/{job_id}/exceptions", timeout=self.timeout)
        except DeployError as exc:
            return str(exc)
        entries = (answer.get("exceptionHistory") or {}).get("entries") or []
        trace = entries[0].get("stacktrace") if entries else answer.get("root-exception")
        if not trace:
            return None
        causes = [ln.strip() for ln in str(trace).splitlines() if ln.startswith(("Caused by", "org.", "java."))]
        return causes[-1] if causes else str(trace).splitlines()[0]

    def cancel(self, job_id: str) -> None:
        http_json("PATCH", f"{self.url}/jobs/{job_id}?mode=cancel", timeout=self.timeout)

    def checkpoints(self, job_id: str) -> dict[str, Any]:
        return http_json("GET", f"{self.url}/jobs/{job_id}/checkpoints", timeout=self.timeout)

    def wait(
        self, job_id: str, states: frozenset[str], *, timeout: float = 120.0, poll: float = 0.5
    ) -> str:
        """Poll until the job reaches one of ``states`` or a terminal state; return it.
        Raises :class:`DeployError` on timeout."""
        return poll_state(self.state, job_id, states, timeout, poll)


__all__ = ["DeployError", "JobManagerApi", "TERMINAL_STATES", "http_json"]
