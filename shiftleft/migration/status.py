"""The honest status of each table: its own errors, its parents' failures, the planner's word.

* A table with an error diagnostic of its own is ``failed`` or ``needs_llm`` (set when it is
  assembled).
* A table with no error of its own that reads a table with errors (or a blocked one) is
  ``blocked``, with an ``SL5011`` note naming the parent: its own SQL may be fine, but it cannot
  run (and cannot be trusted) before that parent is fixed.  Its parent's errors are not
  repeated on it.
* With the planner (``migrate(plan=True)``): a table whose DDL or DML the planner rejects is
  ``failed`` with an ``SL5010`` error per statement, unless a parent is already reported, in
  which case the rejection is the parent's doing: ``blocked``, the planner's message kept as a
  warning.
"""

from __future__ import annotations

from collections.abc import Iterable

from shiftleft.flink_engine.planner import PlannerError
from shiftleft.migration.models import PipelineTable, Status
from shiftleft.migration.planning import TablePlan, dag_order
from shiftleft.migration.codes import BLOCKED_ID, PLAN_ID
from shiftleft.models import Diagnostic, Severity

#: statuses whose table cannot feed its readers
BROKEN = frozenset({Status.FAILED, Status.NEEDS_LLM, Status.BLOCKED})


def is_broken(table: PipelineTable) -> bool:
    return table.status in BROKEN or bool(table.errors)


def _broken_parents(
    table: PipelineTable, by_name: dict[str, list[PipelineTable]]
) -> list[PipelineTable]:
    return [
        p
        for name in table.parents
        for p in by_name.get(name, [])
        if p is not table and is_broken(p)
    ]


def _planner_message(kind: str, error: PlannerError) -> str:
    return f"the Flink 2.3 planner rejects this table's {kind}: {error.message}"


def settle(tables: Iterable[PipelineTable], plans: dict[str, TablePlan] | None = None) -> None:
    """Set ``blocked`` / ``failed`` on ``tables`` (in place), in DAG order; ``plans`` (by unique
    id) are the planner's verdicts when the pipeline was planned."""
    ordered = dag_order(list(tables))
    by_name: dict[str, list[PipelineTable]] = {}
    for table in ordered:
        by_name.setdefault(table.name, []).append(table)
    for table in ordered:
        if table.status is Status.DECLARED and not plans:
            continue
        plan = (plans or {}).get(table.unique_id)
        rejected = [
            (kind, e)
            for kind, errors in (("DDL", plan.ddl_errors), ("DML", plan.dml_errors))
            for e in errors
        ] if plan else []
        if plan and table.status in (Status.TRANSLATED, Status.LLM) and any(
            d.severity is Severity.ERROR for d in plan.verdicts
        ):
            table.status = Status.FAILED  # planned, but the plan computes other rows (SL4111 / SL4112)
        own_errors = bool(table.errors) or table.status in (Status.FAILED, Status.NEEDS_LLM)
        parents = _broken_parents(table, by_name)
        if own_errors:
            severity = Severity.ERROR
        elif parents:
            severity = Severity.WARNING
            if table.status is not Status.DECLARED:
                table.status = Status.BLOCKED
            names = ", ".join(sorted({p.name for p in parents}))
            table.diagnostics.append(
                Diagnostic.of(
                    BLOCKED_ID,
                    f"blocked by {names}: it reads {'them' if len(parents) > 1 else 'it'}, "
                    "and it is reported (see its errors)",
                    suggestion="fix the parent first; this table's own SQL is not known to be wrong",
                )
            )
        else:
            severity = Severity.ERROR
            if rejected:
                table.status = Status.FAILED
        table.diagnostics += plan.verdicts if plan else []  # SL4111: planner vs derivation
        for kind, error in rejected:
            table.diagnostics.append(
                Diagnostic.of(
                    PLAN_ID,
                    _planner_message(kind, error),
                    severity=severity,
                    line=error.line,
                    column=error.column,
                    suggestion="fix the generated SQL (or the model) by hand; see the DDL / DML",
                )
            )
