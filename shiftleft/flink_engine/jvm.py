"""Start (once per process) the JVM that hosts the embedded Flink planner.

PyFlink keeps a single, process-global Py4J gateway to one JVM.  This module checks the
environment *before* PyFlink tries to launch it (PyFlink installed?  Java 17+ available?), so
that a broken setup gives a clear :class:`~shiftleft.errors.ShiftleftEnvironmentError` rather
than a raw traceback, and it launches the JVM sized for a small machine:

* JVM options (``-Xmx1g`` ...) go through ``JVM_ARGS``, which PyFlink's launcher
  (``pyflink/pyflink_gateway_server.py``) puts in front of the ``env.java.opts.all`` options of
  the bundled ``config.yaml``; those (``--add-opens`` ...) are kept, unlike with
  ``FLINK_ENV_JAVA_OPTS`` which would replace them.
* The JVM logs to a file (``FLINK_LOG_DIR``, default ``<tmp>/shiftleft-flink-logs``) at WARN
  level (``ROOT_LOG_LEVEL``, read by the bundled ``log4j-cli.properties``).

Environment variables already set by the user win over these defaults.  ``SHIFTLEFT_JVM_OPTS``
adds JVM options after the defaults (so ``SHIFTLEFT_JVM_OPTS=-Xmx2g`` raises the heap).
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shiftleft.errors import ShiftleftEnvironmentError

log = logging.getLogger(__name__)

MIN_JAVA_VERSION = 17
"""Flink 2.3 runs on Java 17 or newer."""

DEFAULT_JVM_OPTIONS: tuple[str, ...] = (
    "-Xmx1g",
    "-Xss4m",  # Calcite recurses deeply on large queries
    "-XX:+UseSerialGC",  # no parallel GC threads on a 2-core machine
    "-XX:TieredStopAtLevel=1",  # C1 only: planning is short-lived, JIT warm-up dominates
    "-XX:ReservedCodeCacheSize=128m",
)
"""JVM options for the planner's JVM; ``SHIFTLEFT_JVM_OPTS`` is appended after them."""

INSTALL_HINT = "pip install 'shiftleft[flink]'"
JAVA_HINT = (
    "install a Java 17+ runtime (e.g. `apt-get install openjdk-17-jre-headless`) and put "
    "`java` on PATH, or point JAVA_HOME at it"
)

_lock = threading.RLock()


@dataclass(frozen=True)
class JavaInfo:
    """The Java runtime PyFlink will launch."""

    executable: str
    version: str
    major: int


def require_pyflink() -> Any:
    """Import and return ``pyflink.java_gateway``, or raise a clear environment error."""
    try:
        java_gateway = importlib.import_module("pyflink.java_gateway")
    except ImportError as exc:
        raise ShiftleftEnvironmentError(
            f"Verifying Flink SQL needs PyFlink (apache-flink 2.3), which is not installed "
            f"({exc}). Install it with: {INSTALL_HINT}"
        ) from exc
    return java_gateway


_VERSION_RE = re.compile(r'version\s+"(?P<v>[^"]+)"')


def parse_java_version(text: str) -> tuple[str, int] | None:
    """Return ``(version string, major)`` from ``java -version`` output, or None.

    Handles both schemes: ``"1.8.0_392"`` is Java 8, ``"17.0.15"`` / ``"21"`` are 17 / 21.
    """
    match = _VERSION_RE.search(text)
    if not match:
        return None
    version = match.group("v")
    numbers = re.findall(r"\d+", version)
    if not numbers:
        return None
    major = int(numbers[0])
    if major == 1 and len(numbers) > 1:
        major = int(numbers[1])
    return version, major


def find_java(env: Mapping[str, str] | None = None) -> str:
    """Return the ``java`` executable PyFlink would launch (JAVA_HOME first, then PATH)."""
    env = os.environ if env is None else env
    exe = "java.exe" if os.name == "nt" else "java"
    java_home = env.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / exe
        if not candidate.is_file():
            raise ShiftleftEnvironmentError(
                f"JAVA_HOME is set to {java_home!r}, but {candidate} does not exist, so the "
                f"Flink planner cannot start: {JAVA_HINT}."
            )
        return str(candidate)
    found = shutil.which(exe, path=env.get("PATH", os.defpath))
    if not found:
        raise ShiftleftEnvironmentError(
            f"Java was not found (no JAVA_HOME, no `java` on PATH); the Flink planner needs "
            f"Java {MIN_JAVA_VERSION}+: {JAVA_HINT}."
        )
    return found


def check_java(env: Mapping[str, str] | None = None) -> JavaInfo:
    """Check that Java 17+ is available (as PyFlink would find it); raise a clear error if not."""
    java = find_java(env)
    try:
        proc = subprocess.run(
            [java, "-version"],
            capture_output=True,
            text=True,
            timeout=60,
            env=None if env is None else dict(env),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ShiftleftEnvironmentError(
            f"Could not run `{java} -version` ({exc}); the Flink planner needs Java "
            f"{MIN_JAVA_VERSION}+: {JAVA_HINT}."
        ) from exc
    output = (proc.stderr or "") + (proc.stdout or "")
    parsed = parse_java_version(output)
    if proc.returncode != 0 or parsed is None:
        first = output.strip().splitlines()[0] if output.strip() else f"exit code {proc.returncode}"
        raise ShiftleftEnvironmentError(
            f"`{java} -version` did not report a Java version ({first}); the Flink planner "
            f"needs Java {MIN_JAVA_VERSION}+: {JAVA_HINT}."
        )
    version, major = parsed
    if major < MIN_JAVA_VERSION:
        raise ShiftleftEnvironmentError(
            f"Java {version} at {java} is too old: Flink 2.3 needs Java {MIN_JAVA_VERSION}+. "
            f"Fix: {JAVA_HINT}."
        )
    return JavaInfo(executable=java, version=version, major=major)


def log_dir() -> str:
    """Where the planner JVM writes its log file."""
    return os.environ.get("FLINK_LOG_DIR") or os.path.join(
        tempfile.gettempdir(), "shiftleft-flink-logs"
    )


def jvm_options(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The JVM options used when this module launches the JVM."""
    user = shlex.split(os.environ.get("SHIFTLEFT_JVM_OPTS", ""))
    return (*DEFAULT_JVM_OPTIONS, *extra, *user)


def get_gateway(extra_jvm_options: Sequence[str] = ()) -> Any:
    """Return PyFlink's Py4J gateway, launching the JVM on first use (once per process).

    Raises :class:`~shiftleft.errors.ShiftleftEnvironmentError` when PyFlink or Java is
    missing or the JVM does not come up.  When something else in the process (plain PyFlink
    code) already started the gateway, it is reused as is and our JVM options do not apply.
    """
    java_gateway = require_pyflink()
    with _lock:
        if getattr(java_gateway, "_gateway", None) is not None:
            return java_gateway.get_gateway()

        java: JavaInfo | None = None
        if "PYFLINK_GATEWAY_PORT" not in os.environ:  # else PyFlink connects to a running JVM
            java = check_java()
        options = jvm_options(extra_jvm_options)
        logs = log_dir()
        overrides = {
            "JVM_ARGS": " ".join([*options, os.environ.get("JVM_ARGS", "")]).strip(),
            "FLINK_LOG_DIR": logs,
            "ROOT_LOG_LEVEL": os.environ.get("ROOT_LOG_LEVEL", "WARN"),
        }
        saved = {key: os.environ.get(key) for key in overrides}
        start = time.perf_counter()
        try:
            os.makedirs(logs, exist_ok=True)
            os.environ.update(overrides)
            gateway = java_gateway.get_gateway()
        except ShiftleftEnvironmentError:
            raise
        except Exception as exc:
            raise ShiftleftEnvironmentError(
                f"The Flink planner JVM did not start ({type(exc).__name__}: "
                f"{str(exc).strip()[:2000]}). Java: {java.executable if java else '?'}; "
                f"JVM options: {' '.join(options)}; JVM log directory: {logs}. Check that "
                f"`{INSTALL_HINT}` succeeded and that Java {MIN_JAVA_VERSION}+ works."
            ) from exc
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        seconds = time.perf_counter() - start
        log.info(
            "Flink planner JVM started in %.2f s (java %s, options %s, logs in %s)",
            seconds,
            java.version if java else "?",
            " ".join(options),
            logs,
        )
        return gateway



def new_client() -> Any:
    """A Py4J client of the running JVM (started if needed) for one Python thread at a time.

    Py4J serves each connection in a Java thread of its own and a client hands its pooled
    connections to whichever Python thread calls next, also to free Java objects when Python's
    garbage collector, in any thread, drops their proxies.  The Flink planner keeps state in
    Java thread-locals (Calcite's metadata provider, set when an environment is created), so
    an environment planning in parallel with another must always be driven from the same Java
    thread: through a client of its own used by one thread, whose frees from other threads
    wait for that thread (:meth:`_ThreadClient.own`).  Objects are shared, by id, with the
    other clients."""
    from py4j.java_gateway import GatewayClient, JavaGateway

    class _ThreadClient(GatewayClient):
        """Calls from the owning thread only; frees from other threads wait for it."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._owner: int | None = None
            self._waiting: list[str] = []
            self._guard = threading.Lock()

        def own(self, owner: bool) -> None:
            """From now on, the calling thread owns the client (``owner``) or no thread does."""
            with self._guard:
                self._owner = threading.get_ident() if owner else None

        def garbage_collect_object(self, target_id: str) -> None:
            with self._guard:
                if self._owner is not None and self._owner != threading.get_ident():
                    self._waiting.append(target_id)
                    return
            super().garbage_collect_object(target_id)

        def send_command(self, command: str, *args: Any, **kwargs: Any) -> Any:
            with self._guard:
                waiting, self._waiting = self._waiting, []
            for target_id in waiting:
                super().garbage_collect_object(target_id)
            return super().send_command(command, *args, **kwargs)

    class _ThreadGateway(JavaGateway):
        def _create_gateway_client(self) -> Any:
            return _ThreadClient(gateway_parameters=self.gateway_parameters)

    return _ThreadGateway(gateway_parameters=get_gateway().gateway_parameters)
