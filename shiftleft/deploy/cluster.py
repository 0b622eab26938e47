"""A local Flink standalone cluster (JobManager + TaskManager) from the installed wheel.

``apache-flink`` ships ``pyflink/bin/start-cluster.sh`` and ``flink-dist``: with
``FLINK_HOME`` pointing at the ``pyflink`` package, a private copy of its ``conf`` folder
(free ports, small memory sizes) in ``FLINK_CONF_DIR`` and the logs and pid files under the
cluster's own folder, the scripts start a JobManager and a TaskManager on loopback.  The
cluster is always stopped: :meth:`LocalCluster.stop` (also registered with :mod:`atexit`)
runs ``stop-cluster.sh`` and then kills any process still named in its pid files.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from shiftleft.errors import ShiftleftEnvironmentError

log = logging.getLogger(__name__)

#: Options written into the cluster's config.yaml (flat keys: Flink accepts both forms).
DEFAULT_OPTIONS: dict[str, Any] = {
    "jobmanager.memory.process.size": "900m",
    "taskmanager.memory.process.size": "1600m",
    "taskmanager.memory.managed.size": "320m",
    "taskmanager.memory.network.min": "96m",
    "taskmanager.memory.network.max": "96m",
    "taskmanager.numberOfTaskSlots": 64,
    "parallelism.default": 1,
    "heartbeat.interval": 1000,
    "heartbeat.timeout": 6000,
    "restart-strategy.type": "fixed-delay",
    "restart-strategy.fixed-delay.attempts": 20,
    "restart-strategy.fixed-delay.delay": "1 s",
    "table.local-time-zone": "UTC",
    "web.submit.enable": "true",
}


def flink_home() -> Path:
    """The ``pyflink`` package folder (it holds ``bin/``, ``lib/``, ``conf/``)."""
    try:
        import pyflink
    except ImportError:
        raise ShiftleftEnvironmentError(
            "PyFlink is not installed: pip install 'shiftleft[flink]' (apache-flink 2.3)"
        ) from None
    home = Path(pyflink.__file__).parent
    if not (home / "bin" / "start-cluster.sh").is_file():
        raise ShiftleftEnvironmentError(f"{home} has no bin/start-cluster.sh: reinstall apache-flink")
    return home


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalCluster:
    """A standalone Flink cluster whose files (conf, logs, pids) live under ``root``."""

    def __init__(self, root: Path, *, options: dict[str, Any] | None = None) -> None:
        self.root = Path(root).resolve()
        self.home = flink_home()
        self.rest_port = free_port()
        self.rpc_port = free_port()
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.conf_dir = self.root / "conf"
        self.log_dir = self.root / "log"
        self.pid_dir = self.root / "pid"
        self._started = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            FLINK_HOME=str(self.home),
            FLINK_CONF_DIR=str(self.conf_dir),
            FLINK_LOG_DIR=str(self.log_dir),
            FLINK_PID_DIR=str(self.pid_dir),
        )
        return env

    def _write_conf(self) -> None:
        if self.conf_dir.exists():
            shutil.rmtree(self.conf_dir)
        shutil.copytree(self.home / "conf", self.conf_dir)
        config = yaml.safe_load((self.conf_dir / "config.yaml").read_text(encoding="utf-8")) or {}
        for section in ("rest", "jobmanager", "taskmanager", "parallelism"):
            config.pop(section, None)  # replaced by the flat keys below
        java_opts = config.get("env", {}).get("java", {}).get("opts", {}).get("all", "")
        flat = {
            **self.options,
            "env.java.opts.all": java_opts,
            "jobmanager.rpc.address": "localhost",
            "jobmanager.rpc.port": self.rpc_port,
            "jobmanager.bind-host": "localhost",
            "taskmanager.bind-host": "localhost",
            "taskmanager.host": "localhost",
            "rest.address": "localhost",
            "rest.bind-address": "localhost",
            "rest.port": self.rest_port,
        }
        config.pop("env", None)
        config.update(flat)
        (self.conf_dir / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")

    def _script(self, name: str, *args: str) -> None:
        result = subprocess.run(
            ["bash", str(self.home / "bin" / name), *args],
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise ShiftleftEnvironmentError(
                f"{name} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
            )

    def start(self, *, timeout: float = 90.0) -> LocalCluster:
        """Start the JobManager and one TaskManager; wait until a task slot is registered."""
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise ShiftleftEnvironmentError("no Java runtime: install Java 17+ to run a local cluster")
        for d in (self.log_dir, self.pid_dir):
            d.mkdir(parents=True, exist_ok=True)
        self._write_conf()
        atexit.register(self.stop)
        self._started = True
        self._script("start-cluster.sh")
        self.wait_for_slots(1, timeout=timeout)
        log.info("local Flink cluster at %s (logs in %s)", self.url, self.log_dir)
        return self

    def overview(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.url + "/overview", timeout=5) as response:
            return json.loads(response.read())

    def wait_for_slots(self, count: int, *, timeout: float = 90.0) -> None:
        """Wait until at least ``count`` task slots are registered (raises on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.overview().get("slots-total", 0) >= count:
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        raise ShiftleftEnvironmentError(
            f"the local Flink cluster did not offer {count} task slot(s) within {timeout:.0f} s; "
            f"see the logs in {self.log_dir}"
        )

    def _pids(self, kind: str) -> list[int]:
        pids: list[int] = []
        for path in self.pid_dir.glob(f"flink-*-{kind}.pid"):
            pids += [int(x) for x in path.read_text().split() if x.strip().isdigit()]
        return pids

    def kill_taskmanager(self) -> int:
        """SIGKILL the TaskManager process (a crash, for recovery tests); return its pid."""
        pids = self._pids("taskexecutor")
        if not pids:
            raise ShiftleftEnvironmentError("no TaskManager pid file: is the cluster running?")
        os.kill(pids[-1], signal.SIGKILL)
        (next(self.pid_dir.glob("flink-*-taskexecutor.pid"))).write_text(
            "\n".join(str(p) for p in pids[:-1])
        )
        return pids[-1]

    def start_taskmanager(self) -> None:
        """Start one more TaskManager."""
        self._script("taskmanager.sh", "start")

    def stop(self) -> None:
        """Stop the cluster: stop-cluster.sh, then SIGKILL whatever its pid files still name."""
        if not self._started:
            return
        self._started = False
        try:
            self._script("stop-cluster.sh")
        except (ShiftleftEnvironmentError, subprocess.TimeoutExpired) as exc:
            log.warning("stop-cluster.sh: %s", exc)
        deadline = time.monotonic() + 10
        for kind in ("taskexecutor", "standalonesession"):
            for pid in self._pids(kind):
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.2)
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
        atexit.unregister(self.stop)

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["DEFAULT_OPTIONS", "LocalCluster", "flink_home", "free_port"]
