"""``shiftleft verify --streaming PROJECT``: run the migrated pipelines of a dbt project with
seeds on a local Flink cluster (:mod:`shiftleft.deploy.local`) and compare the final state of
every table with the table dbt builds on DuckDB from the same seeds
(:mod:`shiftleft.deploy.duckdb_build`).

Each table gets one verdict:

* ``equal``: the same rows (a multiset, values normalized as :mod:`compare_rows` says);
* ``differs``: with a sample of the differing rows, and, when shiftleft knows why, the
  explanation (``known``): a migration diagnostic that announced it, a shape the streaming
  run is known to answer differently (a window aggregation over an updating input drops the
  updates that arrive after its window fired), or a parent that differs for a known reason;
* ``not comparable``: and why (a view or an ephemeral model has no sink of its own; the
  streaming job or dbt's node failed; the migration did not translate it).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from pathlib import Path
from typing import Any

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from shiftleft.deploy.compare_rows import RowComparison, compare_rows
from shiftleft.deploy.duckdb_build import DbtBuild, build, read_relation
from shiftleft.deploy.engine import Action
from shiftleft.deploy.local import LocalRun, read_results, run_pipelines
from shiftleft.deploy.pipelines import Pipelines, load_pipelines
from shiftleft.migration import MigrationResult, PipelineTable, migrate
from shiftleft.migration.models import Status
from shiftleft.models import Severity

log = logging.getLogger(__name__)

WINDOW_TVFS = frozenset({"TUMBLE", "HOP", "CUMULATE", "SESSION"})
#: the reason of a table whose own job failed
JOB_FAILED = "the streaming job failed"
#: columns dbt adds to a snapshot, which a migrated snapshot does not produce
DBT_SNAPSHOT_COLUMNS = frozenset({"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted"})


class Verdict(str, Enum):
    EQUAL = "equal"
    DIFFERS = "differs"
    NOT_COMPARABLE = "not comparable"


class TableVerdict(BaseModel):
    table: str
    unique_id: str | None = None
    verdict: Verdict
    reason: str = ""
    """Why not comparable; for a difference, what differs."""
    known: str | None = None
    """For a difference shiftleft explains: how it was reported and why it happens."""
    rows: RowComparison | None = None

    def format(self) -> str:
        head = f"{self.verdict.value:<15} {self.table}"
        if self.rows is not None and self.verdict is Verdict.EQUAL:
            head += f" ({self.rows.streaming_rows} rows)"
        if self.verdict is Verdict.DIFFERS:
            head += ": known, " + self.known if self.known else ": UNEXPLAINED"
        lines = [head]
        if self.reason:
            lines.append(f"{'':16}{self.reason}")
        if self.rows is not None and not self.rows.equal:
            lines.append(
                f"{'':16}{self.rows.streaming_rows} rows streaming, {self.rows.dbt_rows} in dbt; "
                f"{self.rows.only_streaming} only streaming, {self.rows.only_dbt} only in dbt"
            )
            lines += [f"{'':18}{d.format()}" for d in self.rows.sample]
        return "\n".join(lines)


class StreamingReport(BaseModel):
    project: str
    out_dir: str
    tables: list[TableVerdict] = Field(default_factory=list)
    dbt_ok: bool = True
    run_seconds: float = 0.0

    def of(self, table: str) -> TableVerdict:
        return next(t for t in self.tables if t.table == table)

    @property
    def unexplained(self) -> list[TableVerdict]:
        return [t for t in self.tables if t.verdict is Verdict.DIFFERS and not t.known]

    @property
    def failed_jobs(self) -> list[TableVerdict]:
        """Tables whose own streaming job failed (not the ones skipped after a parent's failure)."""
        return [t for t in self.tables if t.reason.startswith(JOB_FAILED)]

    @property
    def ok(self) -> bool:
        """No unexplained difference, no failed job, and at least one table compared."""
        counts = self.counts()
        compared = counts[Verdict.EQUAL.value] + counts[Verdict.DIFFERS.value]
        return not self.unexplained and not self.failed_jobs and compared > 0

    def counts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Verdict}
        for t in self.tables:
            counts[t.verdict.value] += 1
        return counts

    def format(self) -> str:
        lines = [f"streaming verification of {self.project} (Flink local cluster vs dbt-duckdb), in {self.out_dir}"]
        lines += [t.format() for t in self.tables]
        counts = self.counts()
        known = sum(1 for t in self.tables if t.verdict is Verdict.DIFFERS and t.known)
        lines.append(
            f"{counts['equal']} equal, {counts['differs']} differ ({known} known, "
            f"{len(self.unexplained)} unexplained), {counts['not comparable']} not comparable"
            + (f"; {len(self.failed_jobs)} streaming job(s) failed" if self.failed_jobs else "")
        )
        if not counts["equal"] and not counts["differs"]:
            lines.append("nothing was compared: no table has rows from both sides (see the reasons above)")
        return "\n".join(lines) + "\n"


# -- known differences ----------------------------------------------------------------------


def _updating(pipelines: Pipelines, name: str) -> bool:
    spec = pipelines.tables.get(name)
    return spec is not None and spec.changelog_mode in ("upsert", "retract")


def window_over_updating(pipelines: Pipelines, table: str) -> str | None:
    """Why a window TVF of ``table``'s statements reads an updating table, or None.

    A window aggregation (TUMBLE / HOP / CUMULATE / SESSION) emits each window once, when the
    watermark passes its end; an update or retraction of its input arriving later is late and
    dropped.  A batch engine aggregates the final rows, so the answers differ whenever an
    input row changes after later rows moved the watermark on.
    """
    spec = pipelines.tables[table]
    for statement in spec.dml:
        try:
            tree = sqlglot.parse_one(statement, read="flink")
        except (ParseError, TokenError, ValueError):
            continue
        for call in tree.find_all(exp.Anonymous):
            if str(call.name).upper() not in WINDOW_TVFS:
                continue
            for arg in call.find_all(exp.Table):
                name = arg.name
                if _updating(pipelines, name):
                    parent = pipelines.tables[name]
                    keyed = f" on {', '.join(parent.primary_key)}" if parent.primary_key else ""
                    return (
                        f"a {str(call.name).upper()} window aggregates {name}, an updating table "
                        f"({parent.changelog_mode}{keyed}): each window is emitted once when the watermark "
                        "passes its end, and updates of its rows arriving later are dropped as late, "
                        "while dbt aggregates the final rows"
                    )
    return None


def _reported(table: PipelineTable | None) -> str | None:
    """The migration's warning or error about a window over an updating input, if any."""
    for d in table.diagnostics if table else []:
        text = d.message.lower()
        if d.severity in (Severity.WARNING, Severity.ERROR) and "window" in text and "updat" in text:
            return f"[{d.rule_id}] {d.message}"
    return None


def explain(pipelines: Pipelines, table: str, migrated: PipelineTable | None, verdicts: dict[str, TableVerdict]) -> str | None:
    """How shiftleft explains a difference of ``table`` (None: it does not)."""
    shape = window_over_updating(pipelines, table)
    if shape is not None:
        reported = _reported(migrated)
        if reported:
            return f"reported as {reported}"
        return f"reported by verify --streaming (migrate does not flag it yet): {shape}"
    for parent in pipelines.ancestors(table):
        found = verdicts.get(parent)
        if found is not None and found.verdict is Verdict.DIFFERS and found.known:
            return f"downstream of {parent}, which differs ({found.known})"
    return None


# -- verifying ------------------------------------------------------------------------------


def _not_comparable(table: PipelineTable, reason: str) -> TableVerdict:
    return TableVerdict(table=table.name, unique_id=table.unique_id, verdict=Verdict.NOT_COMPARABLE, reason=reason)


def compare_table(
    table: PipelineTable,
    run: LocalRun,
    results: dict[str, list[dict[str, Any]]],
    dbt: DbtBuild,
) -> TableVerdict:
    """The verdict of one migrated table, before known differences are explained."""
    node = dbt.nodes.get(table.unique_id)
    outcome = next((o for o in run.report.outcomes if o.table == table.name), None)
    if table.resource_type == "source":
        return _not_comparable(table, "a source: declared only, nothing runs")
    if table.status.value == "inlined":
        return _not_comparable(table, "an ephemeral model: inlined into its readers, no table of its own")
    if node is None or not node.relation:
        return _not_comparable(table, "dbt built no relation for it")
    if outcome is not None and outcome.error:
        if outcome.action is Action.BLOCKED:  # the migration did not translate it: never started
            return _not_comparable(table, f"the migration did not translate it: {outcome.error[:300]}")
        if outcome.state == "SKIPPED":  # a parent's job failed
            return _not_comparable(table, f"the streaming run did not run it: {outcome.error[:300]}")
        return _not_comparable(table, f"{JOB_FAILED}: {outcome.error[:300]}")
    if table.name not in results:
        if not table.dml and table.status not in (Status.FAILED, Status.NEEDS_LLM, Status.BLOCKED):
            return _not_comparable(table, f"a {table.materialized or 'view'}: no sink of its own in Flink (its readers inline it)")
        return _not_comparable(table, f"the migration did not translate it (status {table.status.value})")
    if node.status not in ("success", "not run"):
        why = node.message or "a node it depends on failed or was skipped"
        return _not_comparable(table, f"dbt did not build it ({node.status}: {why})")
    try:
        columns, rows = read_relation(dbt.database, node.relation)
    except Exception as exc:  # noqa: BLE001 - any DuckDB error makes the table not comparable
        return _not_comparable(table, f"cannot read {node.relation} from dbt's DuckDB file: {exc}")
    dbt_columns = [c.lower() for c in columns]
    dbt_rows = [dict(zip(dbt_columns, r)) for r in rows]
    streaming_rows = [{k.lower(): v for k, v in r.items()} for r in results[table.name]]
    streaming_columns = {k for r in streaming_rows for k in r}
    notes = []
    skipped = [c for c in dbt_columns if c in DBT_SNAPSHOT_COLUMNS and c not in streaming_columns]
    if skipped:
        notes.append(f"compared without dbt's own snapshot columns {', '.join(skipped)} (not migrated)")
    common = [c for c in dbt_columns if c not in skipped and (c in streaming_columns or not streaming_rows)]
    only_dbt = [c for c in dbt_columns if c not in common and c not in skipped]
    only_streaming = sorted(streaming_columns - set(dbt_columns))
    key = [k.lower() for k in table.primary_key] or None
    compared = compare_rows(common, streaming_rows, dbt_rows, key)
    if only_dbt or only_streaming:
        notes.append(f"columns differ: only in dbt {only_dbt}, only in the streaming run {only_streaming}")
    differs = bool(only_dbt or only_streaming) or not compared.equal
    return TableVerdict(
        table=table.name,
        unique_id=table.unique_id,
        verdict=Verdict.DIFFERS if differs else Verdict.EQUAL,
        reason="; ".join(notes),
        rows=compared,
    )


def verify_streaming(
    project: Path,
    out: Path,
    *,
    cluster_url: str | None = None,
    timeout: float = 180.0,
    read: str | None = None,
    vars: dict[str, Any] | None = None,
) -> StreamingReport:
    """Migrate ``project`` to ``out/pipelines``, run it on a local cluster (a fresh one, or the
    one at ``cluster_url``), build it with dbt-duckdb in ``out/dbt``, compare every table.
    ``vars`` are dbt's ``--vars``, given to the migration and to dbt's build alike."""
    out = Path(out).resolve()
    migrated: MigrationResult = migrate(project, out / "pipelines", read=read, vars=vars)
    # dbt builds in a subprocess while the cluster runs the pipelines
    with ThreadPoolExecutor(max_workers=1) as pool:
        building = pool.submit(build, Path(project), out / "dbt", vars=vars)
        run = run_pipelines(out / "pipelines", out, timeout=timeout, cluster_url=cluster_url)
        dbt = building.result()
    pipelines = load_pipelines(out / "pipelines")
    results = read_results(Path(run.results_dir))
    verdicts: dict[str, TableVerdict] = {}
    for name in pipelines.order():
        table = next((t for t in migrated.tables if t.name == name), None)
        if table is None:
            continue
        verdict = compare_table(table, run, results, dbt)
        if verdict.verdict is Verdict.DIFFERS:
            verdict.known = explain(pipelines, name, table, verdicts)
        verdicts[name] = verdict
    for table in migrated.tables:  # ephemeral models have no folder in pipelines/
        if table.name not in verdicts and table.resource_type != "source":
            verdicts[table.name] = compare_table(table, run, results, dbt)
    return StreamingReport(
        project=migrated.project,
        out_dir=str(out),
        tables=[verdicts[n] for n in sorted(verdicts)],
        dbt_ok=dbt.ok,
        run_seconds=run.report.seconds,
    )


__all__ = ["StreamingReport", "TableVerdict", "Verdict", "compare_table", "explain", "verify_streaming", "window_over_updating"]
