"""Fixtures of the verification tests: one JVM per session (PyFlink's gateway is global)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from shiftleft.flink_engine.planner import FlinkPlanner
    from shiftleft.flink_engine.runner import FlinkRunner


@pytest.fixture(scope="session")
def flink_runner(flink_planner: FlinkPlanner) -> FlinkRunner:
    """A runner sharing the session's planner (and JVM)."""
    from shiftleft.flink_engine.runner import FlinkRunner

    return FlinkRunner(flink_planner)
