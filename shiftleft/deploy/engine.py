"""Plan and run a deployment: every table's DDL then DML, parents first, recorded in a state file.

The state file ``<pipelines>/.shiftleft/deploy-state.json`` records, per target, what each
table was deployed as (its sink name, blue/green version), the fingerprint of its normalized
statements, its job id and last known state.  A re-run compares against it: unchanged running
tables are left alone, failed or never-finished ones are resumed, changed ones are replaced (or,
with a version, deployed next to the old ones under ``<name>_v<N>``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shiftleft.deploy.deployers import RUNNING, Deployer, wait_for
from shiftleft.deploy.pipelines import Pipelines, TableSpec, rename_tables
from shiftleft.deploy.rest import DeployError
from shiftleft.errors import ConfigError, ShiftleftError
from shiftleft.files import write_atomically

log = logging.getLogger(__name__)

STATE_FILE = ".shiftleft/deploy-state.json"
STATE_VERSION = 1
#: job states that count as deployed
LIVE_STATES = frozenset({"RUNNING", "FINISHED", "CREATED", "INITIALIZING", "RESTARTING"})


class Action(str, Enum):
    CREATE = "create"
    UNCHANGED = "unchanged"
    RESUME = "resume"
    REPLACE = "replace"
    NEW_VERSION = "new-version"
    DECLARE = "declare"
    """DDL only: a parent outside the selection, declared so its children resolve."""
    BLOCKED = "blocked"
    """Not deployable: the migration did not translate it."""


class PlannedTable(BaseModel):
    table: str
    deployed_as: str
    action: Action
    version: int = 1
    previous_job: str | None = None
    reason: str = ""


class TableOutcome(BaseModel):
    table: str
    deployed_as: str
    action: Action
    job_ids: list[str] = Field(default_factory=list)
    state: str = ""
    error: str | None = None


class DeployReport(BaseModel):
    target: str
    plan: list[PlannedTable]
    outcomes: list[TableOutcome] = Field(default_factory=list)
    stopped: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[TableOutcome]:
        return [o for o in self.outcomes if o.error is not None]

    @property
    def ok(self) -> bool:
        return not self.failed


class DeployOptions(BaseModel):
    select: list[str] = Field(default_factory=list)
    version: int | None = None
    stop_old: bool = False
    timeout: float = 120.0
    """Seconds to wait for each job to reach a wanted state."""
    wait_states: frozenset[str] = RUNNING
    """States a job must reach (FINISHED always counts: a bounded INSERT ends)."""
    by_level: bool = False
    """Submit every table of one DAG level, then wait for all their jobs, level after level
    (bounded runs: a level's jobs run side by side, each reading what its parents finished).
    Default: one table at a time, each job waited for before the next table."""


# -- state file -----------------------------------------------------------------------------


def state_path(pipelines: Pipelines) -> Path:
    return Path(pipelines.root) / STATE_FILE


def read_state(pipelines: Pipelines, target: str) -> dict[str, dict[str, Any]]:
    """The recorded tables of ``target`` (``{}`` when never deployed there)."""
    path = state_path(pipelines)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {STATE_VERSION}")
        return dict(data.get("targets", {}).get(target, {}).get("tables", {}))
    except (OSError, ValueError, AttributeError) as exc:
        raise ConfigError(
            f"the deploy state file {path} is unreadable ({exc}); move it away to deploy "
            "everything afresh (running jobs are then not known to shiftleft)"
        ) from None


def write_state(pipelines: Pipelines, target: str, tables: dict[str, dict[str, Any]]) -> None:
    path = state_path(pipelines)
    data: dict[str, Any] = {"version": STATE_VERSION, "targets": {}}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    data.setdefault("targets", {})[target] = {"tables": dict(sorted(tables.items()))}
    data["version"] = STATE_VERSION
    write_atomically(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))


# -- planning -------------------------------------------------------------------------------


def plan_deploy(
    pipelines: Pipelines,
    state: dict[str, dict[str, Any]],
    options: DeployOptions,
    live_state: Callable[[str], str] | None = None,
) -> list[PlannedTable]:
    """What a deploy would do, table by table in DAG order (parents first).

    ``live_state(job_id)`` asks the target for a recorded job's current state (a recorded
    RUNNING job that has since failed is then resumed); without it the state file is trusted.
    """
    selected = pipelines.select(options.select)
    needed = set(selected)
    for name in selected:
        needed |= pipelines.ancestors(name)
    plan: list[PlannedTable] = []
    versioned: set[str] = set()
    for name in pipelines.order(needed):
        spec = pipelines.tables[name]
        entry = state.get(name)
        version = int(entry.get("version", 1)) if entry else 1
        current = entry.get("deployed_as", name) if entry else name
        if name not in selected:
            plan.append(PlannedTable(table=name, deployed_as=current, action=Action.DECLARE, version=version))
            continue
        if not spec.deployable:
            plan.append(
                PlannedTable(
                    table=name,
                    deployed_as=name,
                    action=Action.BLOCKED,
                    reason=f"migration status {spec.status}: fix it in the migration report first",
                )
            )
            continue
        changed = entry is not None and entry.get("fingerprint") != spec.fingerprint
        parent_versioned = any(p in versioned for p in spec.parents)
        jobs = list(entry.get("job_ids", [])) if entry else []
        if options.version is not None and entry is not None and (changed or parent_versioned):
            if options.version <= version:
                raise ConfigError(
                    f"--version {options.version}: {name} is already deployed as version "
                    f"{version}; give a higher version"
                )
            versioned.add(name)
            why = "statements changed" if changed else "a parent has a new version"
            plan.append(
                PlannedTable(
                    table=name,
                    deployed_as=f"{name}_v{options.version}",
                    action=Action.NEW_VERSION,
                    version=options.version,
                    previous_job=jobs[0] if jobs else None,
                    reason=why,
                )
            )
            continue
        if entry is None:
            action, reason = Action.CREATE, "not deployed yet"
        elif changed:
            action, reason = Action.REPLACE, "statements changed (the old job is stopped first)"
        else:
            states = [live_state(j) if live_state else entry.get("state", "") for j in jobs]
            if entry.get("error") or not all(s in LIVE_STATES for s in states) or (
                spec.dml and not jobs
            ):
                action, reason = Action.RESUME, f"last state {entry.get('state') or 'unknown'}"
            else:
                action, reason = Action.UNCHANGED, f"running ({', '.join(states) or 'no job'})"
        plan.append(
            PlannedTable(
                table=name,
                deployed_as=current,
                action=action,
                version=version,
                previous_job=jobs[0] if jobs else None,
                reason=reason,
            )
        )
    return plan


# -- running --------------------------------------------------------------------------------


def deploy(
    pipelines: Pipelines,
    deployer: Deployer,
    options: DeployOptions | None = None,
    *,
    target_key: str | None = None,
) -> DeployReport:
    """Deploy the selected tables (and declare their parents) through ``deployer``.

    One table failing (a statement rejected, a job failing) marks its descendants skipped and
    the others still deploy.  The state file is written after every table, so an interrupted
    deploy resumes where it stopped.
    """
    options = options or DeployOptions()
    key = target_key or deployer.target
    state = read_state(pipelines, key)
    started = time.monotonic()
    plan = plan_deploy(pipelines, state, options, live_state=_safe_state(deployer))
    names = {p.table: p.deployed_as for p in plan}
    renames = {t: n for t, n in names.items() if t != n}
    report = DeployReport(target=key, plan=plan)
    deployer.new_session()
    broken: dict[str, str] = {}
    for batch in _batches(pipelines, plan, options.by_level):
        batch_outcomes: list[tuple[PlannedTable, TableOutcome]] = []
        for planned in batch:
            spec = pipelines.tables[planned.table]
            outcome = TableOutcome(table=spec.name, deployed_as=planned.deployed_as, action=planned.action)
            failed_parent = next((p for p in spec.parents if p in broken), None)
            if planned.action is Action.BLOCKED:
                outcome.error = planned.reason
            elif failed_parent is not None:
                outcome.error = f"skipped: parent {failed_parent} failed ({broken[failed_parent]})"
                outcome.state = "SKIPPED"
            else:
                _start_table(deployer, spec, planned, renames, outcome, state)
            batch_outcomes.append((planned, outcome))
        for planned, outcome in batch_outcomes:
            if outcome.error is None and planned.action not in (Action.DECLARE, Action.UNCHANGED):
                _finish_table(deployer, outcome, options)
        for planned, outcome in batch_outcomes:
            spec = pipelines.tables[planned.table]
            if planned.action is not Action.DECLARE:
                report.outcomes.append(outcome)
            if outcome.error is not None:
                broken[spec.name] = outcome.error.split(" | ")[0][:200]
                if planned.action is Action.DECLARE:
                    report.outcomes.append(outcome)
            if planned.action not in (Action.DECLARE, Action.BLOCKED) and outcome.state != "SKIPPED":
                state[spec.name] = _entry(spec, planned, outcome, state.get(spec.name))
                write_state(pipelines, key, state)
    if options.stop_old:
        report.stopped = _stop_old(deployer, state, report)
        write_state(pipelines, key, state)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def _safe_state(deployer: Deployer) -> Callable[[str], str]:
    def ask(job_id: str) -> str:
        try:
            return deployer.state(job_id)
        except ShiftleftError:
            return "UNKNOWN"

    return ask


def _batches(pipelines: Pipelines, plan: list[PlannedTable], by_level: bool) -> list[list[PlannedTable]]:
    """The plan in groups deployed together: one table each, or one DAG level each (a
    table's level is one more than its deepest planned parent's, so levels keep DAG order)."""
    if not by_level:
        return [[p] for p in plan]
    level: dict[str, int] = {}
    for planned in plan:  # plan is in DAG order: parents come first
        parents = [level[p] for p in pipelines.tables[planned.table].parents if p in level]
        level[planned.table] = 1 + max(parents, default=-1)
    groups: dict[int, list[PlannedTable]] = {}
    for planned in plan:
        groups.setdefault(level[planned.table], []).append(planned)
    return [groups[k] for k in sorted(groups)]


def _start_table(
    deployer: Deployer,
    spec: TableSpec,
    planned: PlannedTable,
    renames: dict[str, str],
    outcome: TableOutcome,
    state: dict[str, dict[str, Any]],
) -> None:
    """Run the table's DDL and submit its DML (the jobs are waited for by :func:`_finish_table`)."""
    try:
        for statement in spec.ddl:
            deployer.execute_ddl(rename_tables(statement, renames))
        if planned.action in (Action.DECLARE, Action.UNCHANGED):
            outcome.job_ids = list(state.get(spec.name, {}).get("job_ids", []))
            outcome.state = state.get(spec.name, {}).get("state", "DECLARED")
            return
        if planned.action is Action.REPLACE and planned.previous_job:
            _cancel_quietly(deployer, planned.previous_job)
        if not spec.dml:
            outcome.state = "DECLARED"
            return
        for statement in spec.dml:
            outcome.job_ids.append(deployer.submit(planned.deployed_as, rename_tables(statement, renames)))
            outcome.state = "SUBMITTED"
    except ShiftleftError as exc:
        outcome.error = str(exc)
        outcome.state = "FAILED"


def _finish_table(deployer: Deployer, outcome: TableOutcome, options: DeployOptions) -> None:
    """Wait for each job of the table to reach a wanted state (FINISHED counts too)."""
    try:
        for job in outcome.job_ids:
            reached = wait_for(deployer, job, options.wait_states, options.timeout)
            outcome.state = reached
            if reached not in options.wait_states and reached != "FINISHED":
                why = deployer.failure(job) or "no exception recorded"
                raise DeployError(f"job {job} is {reached}: {why}")
    except ShiftleftError as exc:
        outcome.error = str(exc)
        outcome.state = "FAILED"


def _cancel_quietly(deployer: Deployer, job_id: str) -> bool:
    try:
        if deployer.state(job_id) not in ("FINISHED", "FAILED", "CANCELED"):
            deployer.cancel(job_id)
        return True
    except ShiftleftError as exc:
        log.warning("could not stop job %s: %s", job_id, exc)
        return False


def _entry(
    spec: TableSpec, planned: PlannedTable, outcome: TableOutcome, old: dict[str, Any] | None
) -> dict[str, Any]:
    previous = list((old or {}).get("previous", []))
    if planned.action is Action.NEW_VERSION and old:
        previous.append({k: old.get(k) for k in ("deployed_as", "version", "job_ids")})
    return {
        "deployed_as": planned.deployed_as,
        "version": planned.version,
        "fingerprint": spec.fingerprint,
        "job_ids": outcome.job_ids,
        "state": outcome.state,
        "error": outcome.error,
        "previous": previous,
    }


def _stop_old(deployer: Deployer, state: dict[str, dict[str, Any]], report: DeployReport) -> list[str]:
    """Cancel the jobs of earlier versions of tables whose new version deployed fine."""
    stopped: list[str] = []
    for outcome in report.outcomes:
        if outcome.action is not Action.NEW_VERSION or outcome.error is not None:
            continue
        entry = state[outcome.table]
        kept = []
        for old in entry.get("previous", []):
            jobs = [j for j in old.get("job_ids") or [] if _cancel_quietly(deployer, j)]
            stopped += jobs
            if len(jobs) < len(old.get("job_ids") or []):
                kept.append(old)
        entry["previous"] = kept
    return stopped


__all__ = [
    "Action",
    "DeployOptions",
    "DeployReport",
    "PlannedTable",
    "TableOutcome",
    "deploy",
    "plan_deploy",
    "read_state",
]
