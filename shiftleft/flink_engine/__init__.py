"""Check generated Flink SQL against the real Flink 2.3 planner (embedded through PyFlink).

Needs the ``flink`` extra (``pip install 'shiftleft[flink]'``) and Java 17+.  Importing this
package is cheap: nothing starts until :meth:`FlinkPlanner.plan` (or ``start``) is called.

>>> from shiftleft.flink_engine import FlinkPlanner, connector_jars
>>> report = FlinkPlanner(jars=connector_jars()).plan(script)  # doctest: +SKIP
"""

from __future__ import annotations

from shiftleft.flink_engine.connectors import connector_jars
from shiftleft.flink_engine.planner import (
    FlinkPlanner,
    PlannedStatement,
    PlannerError,
    PlanReport,
    ScriptStatement,
    split_statements,
)

__all__ = [
    "FlinkPlanner",
    "default_planner",
    "PlanReport",
    "PlannedStatement",
    "PlannerError",
    "ScriptStatement",
    "connector_jars",
    "split_statements",
]


#: the process-wide planners, with and without the connector jars (one JVM per process)
_default_planners: dict[bool, FlinkPlanner] = {}


def default_planner(connectors: bool) -> FlinkPlanner:
    """The process-wide planner (with or without the Kafka / JDBC connector jars), created once."""
    if connectors not in _default_planners:
        _default_planners[connectors] = FlinkPlanner(jars=connector_jars() if connectors else None)
    return _default_planners[connectors]
