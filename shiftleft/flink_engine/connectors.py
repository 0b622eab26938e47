"""Real Kafka, upsert-kafka and JDBC (PostgreSQL) connector jars for the embedded planner.

``apache-flink`` ships no external connectors, so without them the planner cannot check a
``'connector'='kafka'`` / ``'upsert-kafka'`` / ``'jdbc'`` table at all (and cannot say that an
append-only Kafka sink is fed by an updating query).  The jars come from the PyPI package
``shigawire-apache-flink-libraries`` (Kafka connector 4.0.1-2.0, JDBC connector core and
PostgreSQL dialect, their clients).  That package installs into the same ``pyflink/lib``
paths as ``apache-flink``, so it must never be installed next to it: :func:`connector_jars`
downloads the wheel with ``python -m pip download --no-deps`` (checked against a pinned
SHA-256), extracts only the connector jars to a cache directory, and returns their paths.

Cache directory: ``$SHIFTLEFT_CONNECTORS_DIR`` if set, else
``$XDG_CACHE_HOME/shiftleft/connectors`` (``~/.cache/shiftleft/connectors``).  To work offline,
put the jars there yourself, or point ``SHIFTLEFT_CONNECTORS_WHEEL`` at a downloaded wheel.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

from shiftleft.errors import ShiftleftEnvironmentError

log = logging.getLogger(__name__)

WHEEL_PROJECT = "shigawire-apache-flink-libraries"
WHEEL_VERSION = "2.0.0.post1"
WHEEL_SHA256 = "aaa65537d3f0c0ff279185d8243024f0efd95788ba044bf249ba0f40b69289cd"

CONNECTOR_JARS: tuple[str, ...] = (
    "flink-connector-kafka.jar",
    "kafka-clients.jar",
    "flink-connector-jdbc-core.jar",
    "flink-connector-jdbc-postgres.jar",
    "postgresql.jar",
)
"""The jars taken from the wheel's ``pyflink/lib`` (nothing else from it is used)."""

_MEMBER_PREFIX = "pyflink/lib/"


def connectors_dir() -> Path:
    """The cache directory holding the connector jars."""
    configured = os.environ.get("SHIFTLEFT_CONNECTORS_DIR")
    if configured:
        return Path(configured).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "shiftleft" / "connectors" / f"{WHEEL_PROJECT}-{WHEEL_VERSION}"


def _cached(directory: Path) -> list[Path] | None:
    paths = [directory / name for name in CONNECTOR_JARS]
    if all(p.is_file() and p.stat().st_size > 0 for p in paths):
        return paths
    return None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialize concurrent downloads (e.g. pytest-xdist workers) on POSIX; no-op elsewhere."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_wheel(dest: Path) -> Path:
    """``pip download`` the pinned wheel (no dependencies) into ``dest``; return its path."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--quiet",
        "-d",
        str(dest),
        f"{WHEEL_PROJECT}=={WHEEL_VERSION}",
    ]
    log.info("downloading the Flink connector jars: %s", " ".join(cmd))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ShiftleftEnvironmentError(
            f"Could not run pip to download the Flink connector jars ({exc})." + _offline_hint()
        ) from exc
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        detail = (proc.stderr or proc.stdout or "").strip()[-1500:]
        raise ShiftleftEnvironmentError(
            f"`pip download {WHEEL_PROJECT}=={WHEEL_VERSION}` failed "
            f"(exit {proc.returncode}): {detail}" + _offline_hint()
        )
    return wheels[0]


def _offline_hint() -> str:
    names = ", ".join(CONNECTOR_JARS)
    return (
        f" To work offline, set SHIFTLEFT_CONNECTORS_WHEEL to a downloaded "
        f"{WHEEL_PROJECT}=={WHEEL_VERSION} wheel, or place {names} in {connectors_dir()} "
        f"(or in $SHIFTLEFT_CONNECTORS_DIR)."
    )


def _extract(wheel: Path, directory: Path) -> list[Path]:
    """Extract :data:`CONNECTOR_JARS` from ``wheel`` into ``directory`` (atomically per jar)."""
    try:
        actual = _sha256(wheel)
    except OSError as exc:
        raise ShiftleftEnvironmentError(
            f"Cannot read the connector wheel {wheel} ({exc})." + _offline_hint()
        ) from exc
    if actual != WHEEL_SHA256:
        raise ShiftleftEnvironmentError(
            f"{wheel} has SHA-256 {actual}, expected {WHEEL_SHA256} for "
            f"{WHEEL_PROJECT}=={WHEEL_VERSION}; refusing to use it."
        )
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(wheel) as archive:
            for name in CONNECTOR_JARS:
                target = directory / name
                tmp = directory / f".{name}.part"
                with archive.open(_MEMBER_PREFIX + name) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                os.replace(tmp, target)
    except (KeyError, OSError, zipfile.BadZipFile) as exc:
        raise ShiftleftEnvironmentError(
            f"{wheel} does not contain the expected connector jars ({exc})."
        ) from exc
    return [directory / name for name in CONNECTOR_JARS]


def connector_jars() -> list[Path]:
    """Return the Kafka / upsert-kafka / JDBC-PostgreSQL connector jars, fetching them once.

    The first call downloads and extracts them (about 90 MB download, 11 MB of jars kept);
    later calls, in this or any other process, return the cached paths.  Raises
    :class:`~shiftleft.errors.ShiftleftEnvironmentError` when they cannot be obtained.
    """
    directory = connectors_dir()
    cached = _cached(directory)
    if cached:
        return cached
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ShiftleftEnvironmentError(
            f"Cannot create the connector cache directory {directory} ({exc}); set "
            f"SHIFTLEFT_CONNECTORS_DIR to a writable directory."
        ) from exc
    with _file_lock(directory / ".lock"):
        cached = _cached(directory)  # another process may have finished meanwhile
        if cached:
            return cached
        local_wheel = os.environ.get("SHIFTLEFT_CONNECTORS_WHEEL")
        if local_wheel:
            return _extract(Path(local_wheel).expanduser(), directory)
        with tempfile.TemporaryDirectory(prefix="shiftleft-wheel-") as tmp:
            wheel = _download_wheel(Path(tmp))
            paths = _extract(wheel, directory)
    log.info("Flink connector jars ready in %s", directory)
    return paths


def connectors_cached() -> bool:
    """True when the connector jars are already on disk (no download would be needed)."""
    return _cached(connectors_dir()) is not None or bool(os.environ.get("SHIFTLEFT_CONNECTORS_WHEEL"))
