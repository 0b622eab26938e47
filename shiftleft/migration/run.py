"""``shiftleft.migrate``: a whole dbt project to a Kimball folder of Flink pipelines.

The steps: read the project (:mod:`~shiftleft.migration.project`, or a compiled
``manifest.json``: :mod:`~shiftleft.migration.manifest`) → render every model once to learn its
refs and config → order the DAG → per level of the DAG, render each model for real (parents'
columns known) and translate it (:mod:`~shiftleft.migration.translate`, in worker processes for
large projects) → declare the sources → lay the tables out and write them safely
(:mod:`~shiftleft.migration.layout`, :mod:`~shiftleft.migration.writer`) → write the reports
(:mod:`~shiftleft.migration.report`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from typing_extensions import Unpack

from shiftleft.migration import layout as layout_
from shiftleft.migration import plan_check
from shiftleft.migration.assemble import assemble, write
from shiftleft.migration.catalog import apply_catalog, find_catalog
from shiftleft.migration.codes import MATERIALIZATION_ID, PROJECT_ID, RENDER_ID
from shiftleft.migration.manifest import load_manifest
from shiftleft.migration.models import MigrationResult
from shiftleft.migration.node_facts import detect_read
from shiftleft.migration.project import DbtProject, Node, load_project
from shiftleft.migration.run_state import _Migration
from shiftleft.migration.source_columns import source_columns
from shiftleft.migration.event_times import apply_event_times
from shiftleft.migration.status import settle
from shiftleft.migration.translate import NodeJob, NodeOutcome, translate
from shiftleft.models import Diagnostic, Severity
from shiftleft.options import MigrateKwargs, MigrateOptions, TranspileOptions
from shiftleft.streaming.sink import SinkOptions

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

#: below this many nodes, worker processes cost more than they save
PARALLEL_THRESHOLD = 40
_MATERIALIZATIONS = {
    "table",
    "incremental",
    "view",
    "ephemeral",
    "snapshot",
    "seed",
    "source",
    "materialized_view",
}


def _start_pool(workers: int, nodes: int) -> ProcessPoolExecutor | None:
    """The worker processes of a project of ``nodes`` nodes (None: translate in this process),
    started now: forked before the project is rendered, a worker holds the modules and not
    the parent's renders, trees and outcomes (the resident memory of a forked process counts
    every page it shares with its parent)."""
    if workers <= 1 or nodes < PARALLEL_THRESHOLD:
        return None
    pool = ProcessPoolExecutor(max_workers=workers)
    pool.submit(int).result()  # forks every worker now (a fork pool starts them all at once)
    return pool


def _run_jobs(
    jobs: list[NodeJob], workers: int, pool: ProcessPoolExecutor | None
) -> list[NodeOutcome]:
    if pool is None or len(jobs) < 2:
        return [translate(j) for j in jobs]
    return list(pool.map(translate, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _translate_levels(
    run: _Migration, workers: int, pool: ProcessPoolExecutor | None, progress: Progress | None
) -> None:
    """Render and translate the nodes level by level of the DAG (a level's parents are done)."""
    dbt_project = run.project
    levels = run.order()
    total = sum(len(level) for level in levels)
    done = 0
    for level in levels:
        pending: list[tuple[Node, NodeJob]] = []
        for uid in level:
            node = dbt_project.nodes[uid]
            if run.node_notes.get(uid) and any(
                d.severity is Severity.ERROR for d in run.node_notes[uid]
            ):
                continue
            if node.resource_type == "source":
                continue  # declared at the end, when every reader's columns are known
            if node.materialized not in _MATERIALIZATIONS:
                run.notes_for(node).append(
                    Diagnostic.of(
                        MATERIALIZATION_ID,
                        f"custom materialization {node.materialized!r}: translated as a table",
                    )
                )
            sql = "" if node.resource_type == "seed" else run.render_final(node)
            if sql is None:
                continue
            run.rendered[uid] = sql
            if node.materialized == "ephemeral":
                continue
            pending.append((node, run.job(node, sql)))
        for (node, _), outcome in zip(
            pending, _run_jobs([j for _, j in pending], workers, pool)
        ):
            run.outcomes[node.unique_id] = outcome
        done += len(level)
        if progress is not None:
            progress(done, total, level[-1].split(".")[-1])


def migrate(
    project: str | Path,
    out_dir: str | Path | None = None,
    options: MigrateOptions | None = None,
    **kwargs: Unpack[MigrateKwargs],
) -> MigrationResult:
    """Migrate a dbt project (a folder with ``dbt_project.yml``, or a compiled
    ``target/manifest.json``) to Flink pipelines.

    The options are keywords (below) or a :class:`~shiftleft.options.MigrateOptions`
    (``migrate(project, out_dir, options)``); keywords given with it override its fields.

    Args:
        project: the dbt project folder, or the path of a ``manifest.json``.
        out_dir: where to write the pipelines folder (None: translate only, write nothing).
        read: the SQL dialect of the models (default: from the project's profile, else spark).
        target: ``"flink"`` (open-source Flink 2.x) or ``"confluent"`` (Confluent Cloud).
        mode: ``"streaming"`` (default) or ``"batch"``.
        vars: dbt variables, as ``dbt --vars`` (they override the project's).
        layout: a ``shiftleft.yml`` with a ``layout:`` section (default: the project's own).
        catalog: dbt's ``catalog.json`` for column lists and types the properties files do
            not declare (default: the project's ``target/catalog.json`` when present).
        force: overwrite files edited since the last migration.
        jobs: worker processes for large projects (default: one per CPU).
        rules, disable, llm, streaming, functions, pretty: as for :func:`shiftleft.transpile`.
        sink: Kafka / Confluent options of the tables written.
        env: environment variables for ``env_var()`` (default: the process environment).
        progress: called with (done, total, node name) as nodes are translated.
        plan: plan every DDL and DML with the embedded Flink 2.3 and report what it rejects
            on the table concerned: None (default) when the planner can run here (the ``flink``
            extra, Java 17, connector jars fetched; else an ``SL5025`` warning says the
            statuses are static), True to require it, False never.
        on_plan: with ``plan``, called with each table and its planner verdict as it is planned.
        event_time: ``{table: column}``, the event time of models / source tables (overrides
            ``meta: {event_time: true}`` and ``config(event_time=...)``; see migration.event_times).

    Raises:
        ConfigError: not a dbt project, unreadable YAML or manifest, a bad option.
    """
    opts = MigrateOptions.of(options, **kwargs)
    path = Path(project)
    if path.is_file() and path.suffix == ".json":
        dbt_project, manifest_read = load_manifest(path)
        read_ = opts.read or manifest_read or "spark"
    else:
        dbt_project = load_project(path, cli_vars=opts.vars)
        read_ = opts.read or detect_read(dbt_project) or "spark"
        catalog_path = find_catalog(dbt_project, opts.catalog)
        if catalog_path is not None:
            apply_catalog(dbt_project, catalog_path)
    translation = opts.translation(read_)  # checks the dialect
    layout_config = layout_.load_layout_config(opts.layout, dbt_project.root)
    workers = max(1, opts.jobs or os.cpu_count() or 1)
    pool = _start_pool(workers, len(dbt_project.nodes))
    try:
        return _migrate(dbt_project, read_, opts, translation, layout_config, out_dir, workers, pool)
    finally:
        if pool is not None:
            pool.shutdown()


def _migrate(
    dbt_project: DbtProject,
    read_: str,
    opts: MigrateOptions,
    translation: TranspileOptions,
    layout_config: layout_.LayoutConfig,
    out_dir: str | Path | None,
    workers: int,
    pool: ProcessPoolExecutor | None,
) -> MigrationResult:
    target_, mode_ = opts.target, opts.mode
    run = _Migration(
        dbt_project,
        read=read_,
        options={
            "target": target_,
            "mode": mode_,
            "sink": opts.sink or SinkOptions(),
            # what every model's transpile() call shares (schema, event time, sink: per model)
            "transpile": translation.explicit(exclude=("read", "target", "mode", "sink", "event_time")),
            "layout": layout_config,
        },
        env=opts.env,
    )
    for name, message in run.renderer.macro_errors:
        run.notes.append(
            Diagnostic.of(
                RENDER_ID,
                f"macro {name} cannot be read: {message}",
                severity=Severity.WARNING,
            )
        )
    for problem in [*dbt_project.problems, *(m.problem for m in dbt_project.macros if m.problem)]:
        run.notes.append(Diagnostic.of(PROJECT_ID, problem, severity=Severity.ERROR))
    run.discover()
    run.notes += apply_event_times(dbt_project, opts.event_time)
    for uid, node in dbt_project.nodes.items():  # known before the models reading them
        if node.resource_type == "source" and uid not in run.alias_of:
            run.source_columns[uid] = source_columns(run, node)
    run.forget_readers()
    _translate_levels(run, workers, pool, opts.progress)
    result = assemble(run, target_, mode_)
    settle(result.tables, plan_check.check(result, mode_, opts.plan, opts.on_plan))
    if out_dir is not None:
        write(result, Path(out_dir), force=opts.force)
    return result
