"""One Flink mini-cluster, started once in the planner's JVM, that runs a runner's jobs.

Without it every job a ``TableEnvironment`` executes locally starts a mini-cluster of its own
(Flink's per-job local executor) and stops it when the job ends: RPC system, JobManager,
TaskManager and their class loading, about 2.4 s of CPU and 3-5 s of wall time per query on
two cores, against 0.9 s CPU and 1-1.5 s with a cluster started once, which is most of the
time of a verification over small seed tables.  The environments of
:class:`~shiftleft.flink_engine.runner.FlinkRunner` submit to this cluster instead
(``execution.target: remote`` at its REST address, on the loopback interface).

The cluster has :data:`SLOTS` slots (jobs run with parallelism 1, so several jobs may run at
once) and :data:`MANAGED_MEMORY_PER_SLOT` of managed memory per slot, what the per-job
mini-cluster gives its single slot; managed memory is allocated only when an operator asks.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from shiftleft.flink_engine import jvm

log = logging.getLogger(__name__)

SLOTS = 4
"""Task slots of the cluster: jobs that may run at the same time (each with parallelism 1)."""

MANAGED_MEMORY_PER_SLOT = 128
"""MiB of managed memory per slot (Flink's default for a local mini-cluster's one slot)."""


class JobCluster:
    """A mini-cluster in the process's JVM, started on the first :meth:`options` call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._options: dict[str, str] | None = None

    def options(self) -> dict[str, str]:
        """Flink options that send an environment's jobs to this cluster (starts it once)."""
        with self._lock:
            if self._options is None:
                self._options = self._start(jvm.get_gateway())
            return dict(self._options)

    def _start(self, gateway: Any) -> dict[str, str]:
        flink = gateway.jvm.org.apache.flink
        conf = flink.configuration.Configuration()
        for key, value in {
            "rest.address": "127.0.0.1",
            "rest.bind-address": "127.0.0.1",
            "rest.port": "0",  # any free port
            "taskmanager.memory.managed.size": f"{SLOTS * MANAGED_MEMORY_PER_SLOT}m",
        }.items():
            conf.setString(key, value)
        settings = (
            flink.runtime.minicluster.MiniClusterConfiguration.Builder()
            .setConfiguration(conf)
            .setNumTaskManagers(1)
            .setNumSlotsPerTaskManager(SLOTS)
            .build()
        )
        cluster = flink.runtime.minicluster.MiniCluster(settings)
        cluster.start()
        address = cluster.getRestAddress().get()
        # stopped with this object, not at interpreter exit (the JVM ends with the process)
        finalizer = weakref.finalize(self, _close, cluster)
        finalizer.atexit = False  # type: ignore[misc]  # a documented attribute of finalize
        log.debug("Flink job cluster started at %s", address.toString())
        return {
            "execution.target": "remote",
            "rest.address": str(address.getHost()),
            "rest.port": str(address.getPort()),
        }


def _close(cluster: Any) -> None:
    try:
        cluster.closeAsync()
    except Exception as exc:  # noqa: BLE001 - the JVM may be gone already
        log.debug("closing the Flink job cluster failed: %s", exc)
