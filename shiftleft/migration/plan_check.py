"""Whether a migration is checked by the Flink planner, and the check itself.

``migrate(plan=None)`` (the default) plans every table on the embedded Flink 2.3 when it can
run here (PyFlink installed, Java found, the connector jars already fetched), so that a table
reported ``translated`` is one the planner accepts; when it cannot, the statuses are the static
rules' verdict and the result says so with an ``SL5025`` warning.  ``plan=True`` requires the
planner (an environment error otherwise); ``plan=False`` never starts it.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable

from shiftleft.errors import ShiftleftEnvironmentError
from shiftleft.flink_engine import default_planner
from shiftleft.flink_engine.connectors import connectors_cached
from shiftleft.flink_engine.jvm import find_java
from shiftleft.migration.codes import UNPLANNED_ID
from shiftleft.migration.models import MigrationResult, PipelineTable
from shiftleft.migration.planning import TablePlan, plan_tables
from shiftleft.models import Diagnostic, Mode

logger = logging.getLogger(__name__)

OnPlan = Callable[[PipelineTable, TablePlan], None]


def planner_unavailable() -> str | None:
    """Why the embedded planner cannot run here without a download, or None when it can."""
    try:
        found = importlib.util.find_spec("pyflink")
    except (ImportError, ValueError):  # a broken or shadowed installation
        found = None
    if found is None:
        return "PyFlink is not installed (pip install 'shiftleft[flink]')"
    try:
        find_java()
    except ShiftleftEnvironmentError as e:
        return e.message
    if not connectors_cached():
        return "the Kafka / JDBC connector jars are not fetched yet (run migrate --plan once)"
    return None


def _unplanned(reason: str) -> Diagnostic:
    return Diagnostic.of(
        UNPLANNED_ID,
        f"the pipeline was not checked by the Flink 2.3 planner: {reason}; the statuses "
        "are the static rules' verdict",
        suggestion="install the flink extra and Java 17, then migrate again (or pass --plan)",
    )


def check(
    result: MigrationResult, mode: Mode, plan: bool | None, on_plan: OnPlan | None = None
) -> dict[str, TablePlan] | None:
    """Plan ``result``'s tables as ``plan`` asks (see the module); the planner's verdicts by
    unique id, or None when nothing was planned (a warning is then added to ``result``)."""
    if plan is False:
        return None
    if plan is None:
        reason = planner_unavailable()
        if reason is not None:
            result.diagnostics.append(_unplanned(reason))
            return None
    try:  # the JVM starts with the first statement planned
        session = default_planner(connectors=True).session(mode.value)
        plans = {p.unique_id: p for p in plan_tables(result.tables, session, on_plan)}
    except ShiftleftEnvironmentError as e:
        if plan:
            raise
        logger.warning("the Flink planner did not start: %s", e.message)
        result.diagnostics.append(_unplanned(e.message))
        return None
    result.planned = True
    return plans
