"""Shared pytest fixtures.

The Flink fixtures start the real embedded planner (one JVM for the whole session).  They do
not skip: the suite is meant to run against the real engine, so a missing PyFlink / Java is
a failure, with the environment error's own message (what to install).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from shiftleft.flink_engine.planner import FlinkPlanner


#: fuzz inputs the pytest-xdist workers tried (each worker's count arrives when it stops)
_FUZZ_INPUTS = pytest.StashKey[int]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist: add up what each worker's tests/fuzz/conftest.py counted."""
    tried = getattr(node, "workeroutput", {}).get("fuzz_inputs", 0)
    node.config.stash[_FUZZ_INPUTS] = node.config.stash.get(_FUZZ_INPUTS, 0) + tried


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    tried = config.stash.get(_FUZZ_INPUTS, 0)
    if tried:
        terminalreporter.write_line(f"fuzz: {tried} inputs tried (all workers)")


def _started(planner: FlinkPlanner) -> FlinkPlanner:
    from shiftleft.errors import ShiftleftEnvironmentError

    try:
        planner.start()
    except ShiftleftEnvironmentError as exc:
        pytest.fail(f"the embedded Flink planner is unavailable: {exc}", pytrace=False)
    return planner


@pytest.fixture(scope="session")
def flink_planner() -> FlinkPlanner:
    """One embedded Flink planner (no connector jars) for the whole session."""
    from shiftleft.flink_engine.planner import FlinkPlanner

    return _started(FlinkPlanner())


@pytest.fixture(scope="session")
def flink_planner_connectors() -> FlinkPlanner:
    """A planner that also knows the Kafka, upsert-kafka and JDBC (PostgreSQL) connectors."""
    from shiftleft.errors import ShiftleftEnvironmentError
    from shiftleft.flink_engine.connectors import connector_jars
    from shiftleft.flink_engine.planner import FlinkPlanner

    try:
        jars = connector_jars()
    except ShiftleftEnvironmentError as exc:
        pytest.fail(f"the Flink connector jars are unavailable: {exc}", pytrace=False)
    return _started(FlinkPlanner(jars=jars))
