"""Plan a migrated pipeline on the embedded Flink, table by table, in one environment.

Tables are planned in DAG order in ONE reused ``TableEnvironment`` (one JVM): each table's DDL
is executed (so its readers meet the real declaration: a view, an upsert table, a watermark),
then its DML is explained.  On a machine with several cores, :func:`plan_tables` runs lanes:
forks of that session in threads of their own, each declaring every DDL in the same order and
planning the DML (the costly part) of the tables it claims; the verdicts are the same.  Every statement is planned on its own, so a rejection belongs to
the table whose statement it is and never breaks the statements after it; a table whose DDL
is rejected is simply absent for its readers, whose verdicts the caller attributes to it
(:mod:`shiftleft.migration.status`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.streaming.verdict import StatementVerdicts, session_verdicts
from shiftleft.flink_engine.planner import FlinkPlanner, PlannerError, PlanSession
from shiftleft.migration.dag import dag_levels
from shiftleft.migration.models import MigrationResult, PipelineTable
from shiftleft.models import Diagnostic


class TablePlan(BaseModel):
    """What the planner said about one table's DDL and DML (no errors: it plans)."""

    table: str
    unique_id: str = ""
    planned: list[str] = Field(default_factory=list, description="'ddl' and / or 'dml'")
    ddl_errors: list[PlannerError] = Field(default_factory=list)
    dml_errors: list[PlannerError] = Field(default_factory=list)
    #: SL4111: where the planner's changelog differs from the derivation (streaming)
    verdicts: list[Diagnostic] = Field(default_factory=list)
    elapsed_ms: float = 0.0

    @property
    def errors(self) -> list[PlannerError]:
        return [*self.ddl_errors, *self.dml_errors]

    @property
    def ok(self) -> bool:
        return not self.ddl_errors and not self.dml_errors


def dag_order(result: MigrationResult | Iterable[PipelineTable]) -> list[PipelineTable]:
    """The tables, each after the tables it reads (ties by name; cycles last)."""
    tables = result.tables if isinstance(result, MigrationResult) else list(result)
    by_name: dict[str, list[PipelineTable]] = {}
    parents: dict[str, set[str]] = {}
    for table in tables:  # a clashing name is one node; both tables are kept
        by_name.setdefault(table.name, []).append(table)
        parents.setdefault(table.name, set()).update(table.parents)
    levels, cycle = dag_levels(parents)
    return [t for level in [*levels, cycle] for name in level for t in by_name[name]]


#: rows of a seed's INSERT ... VALUES planned per statement (the planner's time grows faster
#: than linearly with the rows of one VALUES; in chunks every row is still planned)
SEED_CHUNK_ROWS = 200


def _statement(sql: str) -> str:
    return sql.rstrip().rstrip(";") + ";\n"


def _dml_statements(table: PipelineTable) -> list[str]:
    """The table's DML as planned: a large seed ``INSERT ... VALUES`` in chunks of rows."""
    assert table.dml is not None
    if table.resource_type != "seed" or table.dml.count("\n") <= SEED_CHUNK_ROWS:
        return [_statement(table.dml)]
    try:
        tree = sqlglot.parse_one(table.dml, read="flink")
    except Exception:  # noqa: BLE001 - planned whole then
        return [_statement(table.dml)]
    values = tree.expression if isinstance(tree, exp.Insert) else None
    if not isinstance(values, exp.Values):
        return [_statement(table.dml)]
    rows = list(values.expressions)
    chunks = []
    for start in range(0, len(rows), SEED_CHUNK_ROWS):
        part = tree.copy()
        part.expression.set("expressions", [r.copy() for r in rows[start : start + SEED_CHUNK_ROWS]])
        chunks.append(_statement(part.sql("flink")))
    return chunks


def _verdicts(
    verdicts: StatementVerdicts, table: PipelineTable, plan: TablePlan, insert_plan: str | None
) -> list[Diagnostic]:
    """The planner's changelog of the table's query vs the derivation (SL4111);
    ``insert_plan``: the explain of its INSERT with the changelog modes, if planned so."""
    found = None
    if table.ddl and table.materialized == "view":
        found = verdicts.check(table.ddl)
    elif table.dml and table.resource_type != "seed":
        error = plan.dml_errors[0].message if plan.dml_errors else None
        found = verdicts.check(table.dml, table.primary_key, error, table.changelog, insert_plan)
    if table.ddl and not plan.ddl_errors:
        verdicts.declare(table.ddl)  # what its readers see
    return [found] if found is not None else []


def _plan_table(
    table: PipelineTable, session: PlanSession, verdicts: StatementVerdicts | None, whole: bool
) -> tuple[TablePlan, StatementVerdicts | None]:
    """Plan ``table``'s DDL, then (``whole``) its DML and its changelog verdict, in
    ``session``; without ``whole`` only the DDL, so that the session knows the table."""
    started = time.perf_counter()
    plan = TablePlan(table=table.name, unique_id=table.unique_id)
    if table.ddl:
        plan.planned.append("ddl")
        plan.ddl_errors = session.plan(_statement(table.ddl)).errors
    insert_plan = None
    if table.dml and whole:
        plan.planned.append("dml")
        # the INSERT's explain shows its operators' changelog modes: the verdict below
        # reads what the query emits from it instead of planning the query once more
        changelog = session.mode == "streaming" and table.resource_type != "seed"
        for statement in _dml_statements(table):
            report = session.plan(statement, changelog=changelog)
            plan.dml_errors += report.errors
            insert_plan = report.statements[0].plan if len(report.statements) == 1 else None
    verdicts = verdicts or session_verdicts(session)
    if verdicts is not None and whole:
        plan.verdicts = _verdicts(verdicts, table, plan, insert_plan)
    elif verdicts is not None and table.ddl and not plan.ddl_errors:
        verdicts.declare(table.ddl)
    plan.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return plan, verdicts


#: at most this many sessions plan one pipeline at the same time (each declares every table)
MAX_LANES = 4
#: fewer tables than this are planned in one session (a second one would not pay for itself)
MIN_TABLES_PER_LANE = 8


def default_lanes(tables: int) -> int:
    """How many sessions plan ``tables`` tables: one per processor this process may use, at
    most :data:`MAX_LANES`, and at least :data:`MIN_TABLES_PER_LANE` tables each."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_LANES, tables // MIN_TABLES_PER_LANE))


class _Board:
    """Which lane plans which table: the first lane to reach a table claims it; the plans
    come back in DAG order (:meth:`take`)."""

    def __init__(self, count: int) -> None:
        self._claimed = [False] * count
        self._plans: dict[int, TablePlan] = {}
        self._failure: BaseException | None = None
        self._stopped = False
        self._changed = threading.Condition()

    def claim(self, index: int) -> bool:
        with self._changed:
            if self._claimed[index]:
                return False
            self._claimed[index] = True
            return True

    @property
    def stopped(self) -> bool:
        return self._stopped

    def put(self, index: int, plan: TablePlan) -> None:
        with self._changed:
            self._plans[index] = plan
            self._changed.notify_all()

    def fail(self, error: BaseException) -> None:
        with self._changed:
            self._failure = self._failure or error
            self._stopped = True
            self._changed.notify_all()

    def stop(self) -> None:
        self._stopped = True

    def take(self, index: int) -> TablePlan:
        with self._changed:
            while index not in self._plans and self._failure is None:
                self._changed.wait()
            if self._failure is not None:
                raise self._failure
            return self._plans.pop(index)


def _lane(order: list[PipelineTable], parent: PlanSession, board: _Board) -> None:
    """One lane: a fork of ``parent`` made and used in this thread, planning every table's
    DDL and the whole of each table it claims."""
    verdicts: StatementVerdicts | None = None
    session: PlanSession | None = None
    try:
        session = parent.fork()
        for index, table in enumerate(order):
            if board.stopped:
                return
            whole = board.claim(index)
            plan, verdicts = _plan_table(table, session, verdicts, whole)
            if whole:
                board.put(index, plan)
    except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
        board.fail(error)
    finally:
        if session is not None:
            session.close()


def plan_tables(
    tables: Iterable[PipelineTable],
    session: PlanSession,
    progress: Callable[[PipelineTable, TablePlan], None] | None = None,
    lanes: int | None = None,
) -> list[TablePlan]:
    """Plan each table's DDL, then its DML, in DAG order in ``session``: one
    :class:`TablePlan` per table that has a statement.

    ``lanes`` (default :func:`default_lanes`): sessions planning at the same time, forks of
    ``session`` (which then declares nothing more itself), each in a thread of its own (the
    planner's work runs in the JVM, one core each).  Every lane declares every table's DDL in
    DAG order, so each statement is planned after the same declarations as in one session,
    and the DML and verdict of each table are planned by the first lane to reach it: the
    verdicts do not depend on the number of lanes.  ``progress`` is called in DAG order, from
    the caller's thread."""
    order = [t for t in dag_order(tables) if t.ddl or t.dml]
    count = default_lanes(len(order)) if lanes is None else max(1, lanes)
    if count == 1:
        plans: list[TablePlan] = []
        verdicts: StatementVerdicts | None = None
        for table in order:
            plan, verdicts = _plan_table(table, session, verdicts, whole=True)
            plans.append(plan)
            if progress is not None:
                progress(table, plan)
        return plans
    board = _Board(len(order))
    threads = [
        threading.Thread(target=_lane, args=(order, session, board), name=f"plan-lane-{k}", daemon=True)
        for k in range(count)
    ]
    for thread in threads:
        thread.start()
    plans = []
    try:
        for index, table in enumerate(order):
            plans.append(board.take(index))
            if progress is not None:
                progress(table, plans[-1])
    finally:
        board.stop()
        for thread in threads:
            thread.join()
    return plans


def plan_pipeline(
    result: MigrationResult, planner: FlinkPlanner, mode: str = "streaming"
) -> list[TablePlan]:
    """Plan every DDL and DML of ``result`` in a fresh session (see :func:`plan_tables`)."""
    return plan_tables(result.tables, planner.session(mode))  # type: ignore[arg-type]
