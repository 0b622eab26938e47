"""The output side of a migration: the pipeline tables (status, DDL, DML, lineage) from the
translated nodes, and the pipelines folder, inventory and reports written from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from shiftleft.migration import layout as layout_
from shiftleft.migration.codes import EVENT_TIME_ID, PROJECT_ID
from shiftleft.migration.models import MigrationResult, PipelineTable, Status
from shiftleft.migration.project import DbtProject
from shiftleft.migration.report import markdown_report
from shiftleft.migration.report_html import html_report
from shiftleft.migration.translate import NodeOutcome
from shiftleft.migration.writer import PipelineWriter
from shiftleft.models import Diagnostic, Mode, Severity, Target
from shiftleft.streaming.sink import SinkOptions
from shiftleft.streaming.sources import source_table_ddl

REPORT_MD = "migration_report.md"
REPORT_HTML = "migration_report.html"
INVENTORY = "inventory.json"


class MigrationState(Protocol):
    """What :func:`assemble` reads of a migration run."""

    project: DbtProject
    read: str
    sink: SinkOptions
    layout: layout_.LayoutConfig
    outcomes: dict[str, NodeOutcome]
    rendered: dict[str, str]
    parents: dict[str, list[str]]
    alias_of: dict[str, str]
    notes: list[Diagnostic]
    node_notes: dict[str, list[Diagnostic]]
    source_columns: dict[str, tuple[list[tuple[str, str]], list[Diagnostic]]]


def assemble(run: MigrationState, target: Target, mode: Mode) -> MigrationResult:
    """The pipeline tables of a migration: one per node, with its status and findings."""
    project = run.project
    tables: dict[str, PipelineTable] = {}
    seen_names: dict[str, str] = {}
    for uid, node in project.nodes.items():
        if uid in run.alias_of:
            continue
        notes = list(run.node_notes.get(uid, []))
        outcome = run.outcomes.get(uid)
        folders = node.folders
        layer = layout_.infer_layer(
            node.name,
            folders=folders,
            tags=node.tags,
            materialized=node.materialized,
            resource_type=node.resource_type,
            file_path=node.file_path,
            config=run.layout,
        )
        product = layout_.infer_product(
            node.name,
            folders=folders,
            tags=node.tags,
            file_path=node.file_path,
            project_name=project.name,
            config=run.layout,
        )
        table = PipelineTable(
            name=node.table_name,
            unique_id=uid,
            resource_type=node.resource_type,
            materialized=node.materialized,
            layer=layer,
            product=product,
            status=Status.TRANSLATED,
            source_file=node.file_path,
            rendered_sql=run.rendered.get(uid) or None,
        )
        if node.resource_type == "source":
            columns, source_notes = run.source_columns[uid]
            notes += source_notes
            if not columns:
                if any(d.severity is Severity.ERROR for d in source_notes):
                    table.status = Status.FAILED
                else:
                    table.status = Status.DECLARED
                table.diagnostics = notes
                tables[uid] = table
                continue
            table.ddl = source_table_ddl(
                node.table_name,
                columns,
                node.loaded_at_field,
                target,
                run.sink,
                bounded=mode is Mode.BATCH,
            )
            table.status, table.changelog, table.event_time = (
                Status.DECLARED,
                "append",
                node.loaded_at_field,
            )
            if node.loaded_at_field:
                notes.append(
                    Diagnostic.of(
                        EVENT_TIME_ID,
                        f"event time {node.loaded_at_field} (loaded_at_field): watermark declared",
                        severity=Severity.INFO,
                    )
                )
        elif node.materialized == "ephemeral":
            table.status = Status.INLINED if uid in run.rendered else Status.FAILED
        elif outcome is None:
            table.status = Status.FAILED
        else:
            notes += outcome.diagnostics
            table.ddl, table.dml = outcome.ddl, outcome.dml
            table.changelog, table.primary_key = outcome.changelog, outcome.primary_key
            table.stateful, table.event_time, table.rules_applied = (
                outcome.stateful,
                outcome.event_time,
                outcome.rules_applied,
            )
            if outcome.failed:
                table.status = Status.FAILED
            elif any(d.severity is Severity.ERROR for d in outcome.diagnostics):
                table.status = Status.NEEDS_LLM
            elif outcome.used_llm:
                table.status = Status.LLM
        if node.materialized != "ephemeral" and node.table_name.lower() in seen_names:
            notes.append(
                Diagnostic.of(
                    PROJECT_ID,
                    f"table name {node.table_name} is also used by {seen_names[node.table_name.lower()]}; "
                    "this one is not written",
                    severity=Severity.ERROR,
                    suggestion="give one of them another alias",
                )
            )
            table.status = Status.FAILED
            table.ddl = table.dml = None
        elif node.materialized != "ephemeral":
            seen_names[node.table_name.lower()] = uid
        if table.status is Status.FAILED:
            # the sink table survives a DML that fails when its columns are known, so that
            # the models reading it can still be translated and planned
            keep = outcome is not None and outcome.columns and node.materialized != "view"
            table.dml = None
            table.ddl = table.ddl if keep else None
        table.diagnostics = notes
        tables[uid] = table
    for uid, table in tables.items():
        table.parents = sorted(tables[p].name for p in run.parents.get(uid, []) if p in tables)
    for uid, table in tables.items():
        for parent in run.parents.get(uid, []):
            if parent in tables:
                tables[parent].children.append(table.name)
    for table in tables.values():
        table.children = sorted(set(table.children))
    notes = list(run.notes)
    if not tables:  # a folder that is not the project's root, or model-paths elsewhere
        notes.append(
            Diagnostic.of(
                PROJECT_ID,
                f"nothing to migrate: the dbt project {project.name} at {project.root} has no model, "
                "seed, snapshot or source",
                severity=Severity.WARNING,
                suggestion="point shiftleft at the folder holding dbt_project.yml, and check its "
                "model-paths / seed-paths / snapshot-paths",
            )
        )
    return MigrationResult(
        project=project.name,
        project_dir=str(project.root),
        read=run.read,
        target=target.value,
        tables=sorted(tables.values(), key=lambda t: (t.layer.value, t.product, t.name)),
        diagnostics=notes,
    )


def _definition(table: PipelineTable, by_name: dict[str, PipelineTable]) -> dict[str, Any]:
    def ref(t: PipelineTable) -> dict[str, Any]:
        return {
            "table_name": t.name,
            "product_name": t.product,
            "type": t.layer.value,
            "path": t.path,
            "ddl_ref": t.ddl_path,
            "dml_ref": t.dml_path,
            "state_form": "Stateful" if t.stateful else "Stateless",
        }

    return {
        **ref(table),
        "dbt_unique_id": table.unique_id,
        "materialized": table.materialized,
        "status": table.status.value,
        "changelog_mode": table.changelog,
        "primary_key": table.primary_key,
        "event_time": table.event_time,
        "parents": [ref(by_name[p]) for p in table.parents if p in by_name],
        "children": [ref(by_name[c]) for c in table.children if c in by_name],
    }


def write(result: MigrationResult, out: Path, *, force: bool) -> None:
    """Write the pipelines folder, the inventory and the reports of ``result`` to ``out``."""
    writer = PipelineWriter(out, force=force)
    result.out_dir = str(out)
    folders: set[str] = set()
    for table in result.tables:
        if table.status is Status.INLINED or (table.ddl is None and table.dml is None):
            continue
        table.path = layout_.table_folder(table.layer, table.product, table.name).as_posix()
        if table.path.lower() in folders:  # names are made unique first: a last safeguard
            table.diagnostics.append(
                Diagnostic.of(
                    PROJECT_ID,
                    f"another table is written to {table.path}; this one is not written",
                    severity=Severity.ERROR,
                )
            )
            table.status, table.path = Status.FAILED, None
            continue
        folders.add(table.path.lower())
        table.ddl_path = (
            layout_.ddl_path(table.layer, table.product, table.name).as_posix()
            if table.ddl
            else None
        )
        table.dml_path = (
            layout_.dml_path(table.layer, table.product, table.name).as_posix()
            if table.dml
            else None
        )
    by_name = {t.name: t for t in result.tables}
    for table in result.tables:
        if table.path is None:
            continue
        if table.ddl and table.ddl_path:
            writer.write(table.ddl_path, table.ddl.rstrip() + ";\n")
        if table.dml and table.dml_path:
            writer.write(table.dml_path, table.dml.rstrip() + ";\n")
        writer.write_json(
            layout_.definition_path(table.layer, table.product, table.name).as_posix(),
            _definition(table, by_name),
        )
    inventory = {
        t.name: {
            "type": t.layer.value,
            "product_name": t.product,
            "path": t.path,
            "ddl_ref": t.ddl_path,
            "dml_ref": t.dml_path,
            "status": t.status.value,
            "dbt_unique_id": t.unique_id,
        }
        for t in result.tables
        if t.path is not None
    }
    writer.write_json(INVENTORY, inventory)
    stale_files = [f for f in writer.stale() if f not in (REPORT_MD, REPORT_HTML)]
    if stale_files:
        result.diagnostics.append(
            Diagnostic.of(
                PROJECT_ID,
                f"files of an earlier migration that no table writes any more (not deleted): {', '.join(stale_files)}",
                severity=Severity.WARNING,
            )
        )
    # the reports list the pipeline files (themselves excluded), so they are written last
    result.files = writer.records()
    writer.write(REPORT_MD, markdown_report(result))
    writer.write(REPORT_HTML, html_report(result))
    writer.finish()
