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
    "PlanReport",
    "PlannedStatement",
    "PlannerError",
    "ScriptStatement",
    "connector_jars",
    "split_statements",
]
