"""Plan a migrated pipeline on the embedded Flink: every DDL, then every job's DML.

A table's DDL is what its readers see, so the whole pipeline is declared in one session (in
DAG order) before each ``INSERT INTO`` is planned: a job that reads a view, an upsert table or
a watermarked column is checked against the real declarations it will meet in production.
"""

from __future__ import annotations

from pydantic import BaseModel

from shiftleft.flink_engine.planner import FlinkPlanner, PlannerError
from shiftleft.migration.dag import dag_levels
from shiftleft.migration.models import MigrationResult, PipelineTable


class TablePlan(BaseModel):
    """What the planner said about one table's DDL and DML (no errors: it plans)."""

    table: str
    errors: list[PlannerError] = []


def dag_order(result: MigrationResult) -> list[PipelineTable]:
    """The tables, each after the tables it reads (ties by name; cycles last)."""
    by_name: dict[str, list[PipelineTable]] = {}
    parents: dict[str, set[str]] = {}
    for table in result.tables:  # a clashing name is one node; both tables are kept
        by_name.setdefault(table.name, []).append(table)
        parents.setdefault(table.name, set()).update(table.parents)
    levels, cycle = dag_levels(parents)
    return [t for level in [*levels, cycle] for name in level for t in by_name[name]]


def plan_pipeline(
    result: MigrationResult, planner: FlinkPlanner, mode: str = "streaming"
) -> list[TablePlan]:
    """Plan every DDL and DML of ``result``; one :class:`TablePlan` per table with statements."""
    tables = [t for t in dag_order(result) if t.ddl or t.dml]
    statements: list[tuple[str, str]] = [(t.name, t.ddl) for t in tables if t.ddl]
    statements += [(t.name, t.dml) for t in tables if t.dml]
    script = "".join(f"{sql.rstrip().rstrip(';')};\n" for _, sql in statements)
    report = planner.plan(script, mode)  # type: ignore[arg-type]
    plans = {t.name: TablePlan(table=t.name) for t in tables}
    for error in report.errors:
        owner = (
            statements[error.statement - 1][0]
            if error.statement and error.statement <= len(statements)
            else tables[0].name
        )
        plans[owner].errors.append(error)
    return list(plans.values())
