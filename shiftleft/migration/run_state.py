"""The state of one migration run (:class:`_Migration`): the project rendered once to learn its
DAG (refs, sources, in-file config, findings), then per node the final SQL (ephemeral parents
inlined) and the :class:`~shiftleft.migration.translate.NodeJob` that translates it.

Split from :mod:`shiftleft.migration.run`, whose :func:`~shiftleft.migration.run.migrate` drives
it level by level.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from shiftleft.derive import Relation
from shiftleft.migration import layout as layout_
from shiftleft.migration import node_findings, relations
from shiftleft.migration.codes import PROJECT_ID, RENDER_HINTS, RENDER_ID
from shiftleft.migration.dag import dag_levels
from shiftleft.migration.node_facts import declared_key, incremental_column
from shiftleft.migration.project import DbtProject, Node
from shiftleft.migration.render import Renderer, RenderError, inject_ctes
from shiftleft.migration.translate import TIME_TYPE, NodeJob, NodeOutcome, read_type
from shiftleft.models import Diagnostic, Mode, Severity, Target
from shiftleft.streaming.sink import SinkOptions
from shiftleft.streaming.typed_query import flink_type


class _Migration:
    def __init__(
        self,
        project: DbtProject,
        *,
        read: str,
        options: dict[str, Any],
        env: Mapping[str, str] | None,
    ):
        self.project = project
        self.read = read
        self.target: Target = options["target"]
        self.mode: Mode = options["mode"]
        self.sink: SinkOptions = options["sink"]
        self.transpile_options = options["transpile"]
        self.renderer = Renderer(project, read=read, env=env)
        self.outcomes: dict[str, NodeOutcome] = {}
        self._broken: dict[str, bool] = {}  #: see :meth:`broken`
        self.rendered: dict[str, str] = {}
        self.parents: dict[str, list[str]] = {}
        self.notes: list[Diagnostic] = []
        self.alias_of: dict[str, str] = {}  # source unique id -> seed unique id (same table)
        self.node_notes: dict[str, list[Diagnostic]] = {}  # findings per node, before translation
        self.layout: layout_.LayoutConfig = options["layout"]
        #: first-pass renders (refs resolved), to find the columns sources must have
        self.captured: dict[str, str] = {}
        self.trees: dict[str, exp.Expr | None] = {}  #: parsed reader SQL (source columns)
        self.scopes: dict[str, Scope | None] = {}  #: their root scopes
        self.demands: dict[str, list[tuple[str, str | None]]] = {}  #: columns readers take
        self.readers: dict[str, list[str]] | None = None  #: models reading each node
        self.traces: dict[tuple[str, str], tuple[str, str] | None] = {}  #: traced columns
        #: columns models further below take through pass-through readers, per (node, depth)
        self.passed: dict[tuple[str, int], list[tuple[str, str | None]]] = {}
        #: columns of the sources that do not declare them all, decided before translation
        self.source_columns: dict[str, tuple[list[tuple[str, str]], list[Diagnostic]]] = {}

    # -- DAG -------------------------------------------------------------------------------

    def render_yaml(self) -> None:
        """Jinja in the sources' YAML values (identifier, schema, database, column types)."""
        for node in self.project.nodes.values():
            if node.resource_type != "source":
                continue
            for attr in ("identifier", "schema", "database"):
                value = getattr(node, attr)
                if value and ("{{" in value or "{%" in value):
                    setattr(node, attr, self._yaml_value(node, value))
            for column in node.columns.values():
                if column.data_type and "{" in column.data_type:
                    column.data_type = self._yaml_value(node, column.data_type)

    def _yaml_value(self, node: Node, text: str) -> str | None:
        try:
            return self.renderer.render_text(node, text) or None
        except RenderError as e:
            self.notes_for(node).append(
                Diagnostic.of(
                    RENDER_ID,
                    f"cannot render the YAML value {text!r}: {e.message}",
                    severity=Severity.ERROR,
                )
            )
            return None

    def discover(self) -> None:
        """Render every model once (capture mode): refs, sources, in-file config."""
        self.render_yaml()
        disabled: list[str] = []
        for node in self.project.nodes.values():
            if node.resource_type not in ("model", "snapshot"):
                continue
            if self.project.compiled:
                self.parents[node.unique_id] = list(node.depends_on)
                self._check_compiled(node)
                continue
            if node.problem:
                self._render_failed(node, RenderError(node.problem))
                continue
            try:
                rendered = self.renderer.render(node, capture=True)
            except RenderError as e:
                self._render_failed(node, e)
                continue
            node.config = rendered.config
            if not rendered.enabled:  # config(enabled=...) known only once rendered
                disabled.append(node.unique_id)
                continue
            self.parents[node.unique_id] = [*rendered.refs, *rendered.sources]
            self.captured[node.unique_id] = rendered.sql
        for uid in disabled:
            del self.project.nodes[uid]
            self.parents.pop(uid, None)
            self.project.disabled.append(uid)
        if disabled:  # a disabled twin no longer makes its name ambiguous (dbt ignores it)
            self.project.duplicates = {
                name: kept
                for name, twins in self.project.duplicates.items()
                if len(kept := [u for u in twins if u in self.project.nodes]) > 1
            }
        for node in self.project.nodes.values():
            self.parents.setdefault(
                node.unique_id, list(node.depends_on) if node.compiled_code is not None else []
            )
        seeds = {
            relations.name_key(relations.identifier(n)): n
            for n in self.project.nodes.values()
            if n.resource_type == "seed"
        }
        for node in self.project.nodes.values():
            key = relations.name_key(relations.identifier(node))
            if node.resource_type == "source" and key in seeds:
                self.alias_of[node.unique_id] = seeds[key].unique_id
        # a ref captured to a twin that disabled itself once rendered: the enabled one of that name
        twin_of = {
            uid: enabled.unique_id
            for uid in disabled
            if (enabled := self.renderer.find_ref(uid.rsplit(".", 1)[-1])) is not None
        }
        for uid, parents in self.parents.items():
            self.parents[uid] = list(
                dict.fromkeys(
                    self.alias_of.get(p, p)
                    for p in (twin_of.get(p, p) for p in parents)
                    if p in self.project.nodes
                )
            )
        findings = node_findings.node_findings(self.renderer, self.project, self.captured)
        for uid, notes in findings.items():  # hooks, incremental logic, relation identity
            self.node_notes.setdefault(uid, []).extend(notes)
        self.notes += node_findings.project_findings(self.project)
        for uid, notes in relations.assign_table_names(self.project.nodes).items():
            self.node_notes.setdefault(uid, []).extend(notes)

    def _check_compiled(self, node: Node) -> None:
        """A manifest model must be compiled, as a full refresh (no read of its own table)."""
        if node.compiled_code is None:
            message = "the manifest has no compiled SQL for this model"
        elif node.materialized == "incremental" and re.search(
            rf"\b(from|join)\s+{re.escape(node.table_name)}\b", node.compiled_code, re.IGNORECASE
        ):
            message = "the compiled SQL reads the model's own table: it was compiled with is_incremental() true"
        else:
            return
        self.notes_for(node).append(
            Diagnostic.of(
                RENDER_ID,
                message,
                severity=Severity.ERROR,
                suggestion="run `dbt compile --full-refresh` and migrate the new target/manifest.json",
            )
        )

    def _render_failed(self, node: Node, error: RenderError) -> None:
        what = f" ({error.name})" if error.name else ""
        self.notes_for(node).append(
            Diagnostic.of(
                error.code or RENDER_ID,
                f"cannot render {node.name}{what}: {error.message}",
                severity=Severity.ERROR,
                line=error.line,
                suggestion=error.hint
                or RENDER_HINTS.get(error.code or RENDER_ID)
                or (
                    "define the macro in the project's macros/, or map it in a package on disk; "
                    "the rest of the project is migrated"
                    if "macro" in error.message
                    else "fix the model or the value it reads; the rest of the project is migrated"
                ),
            )
        )

    def forget_readers(self) -> None:
        """Drop the first-pass renders and the reader trees and scopes, once the sources'
        columns are decided (nothing reads them after: a large project's trees are most of
        the memory of the run)."""
        self.captured.clear()
        self.trees.clear()
        self.scopes.clear()
        self.demands.clear()
        self.readers = None
        self.traces.clear()
        self.passed.clear()

    def notes_for(self, node: Node) -> list[Diagnostic]:
        return self.node_notes.setdefault(node.unique_id, [])

    def order(self) -> list[list[str]]:
        """Levels of the DAG (a node's parents are all in earlier levels); cycles reported."""
        levels, cycle = dag_levels(
            {u: self.parents.get(u, []) for u in self.project.nodes if u not in self.alias_of}
        )
        if cycle:
            self.notes.append(
                Diagnostic.of(
                    PROJECT_ID,
                    f"the models {', '.join(cycle)} depend on each other in a cycle; they are not migrated",
                    severity=Severity.ERROR,
                )
            )
            for uid in cycle:
                self.notes_for(self.project.nodes[uid]).append(
                    Diagnostic.of(PROJECT_ID, "part of a dependency cycle", severity=Severity.ERROR)
                )
            levels.append(cycle)
        return levels

    # -- per node ------------------------------------------------------------------------

    def columns_of(self, node: Node | None) -> list[tuple[str, str]] | None:
        """(name, type in the read dialect) of a node's columns, when known."""
        if node is None:
            return None
        node = self.project.nodes.get(self.alias_of.get(node.unique_id, node.unique_id), node)
        outcome = self.outcomes.get(node.unique_id)
        if outcome is not None and outcome.columns:
            return [(n, read_type(t, self.read)) for n, t in outcome.columns]
        if node.unique_id in self.source_columns:
            found = self.source_columns[node.unique_id][0]
            time = node.loaded_at_field  # declared TIMESTAMP(3) by the source DDL, added when missing
            columns = [(n, TIME_TYPE if time and n.lower() == time.lower() else t) for n, t in found]
            if columns and time and all(n.lower() != time.lower() for n, _ in columns):
                columns.append((time, TIME_TYPE))  # a reader's SELECT * sees it (source_table_ddl)
            return [(n, read_type(t, self.read)) for n, t in columns] or None
        declared = [(c.name, c.data_type) for c in node.columns.values()]
        if declared and all(t for _, t in declared):
            return [(n, str(t)) for n, t in declared]
        return None

    def render_final(self, node: Node) -> str | None:
        """The model's SQL with ephemeral parents inlined, or None (failure noted)."""
        if node.compiled_code is not None:
            return node.compiled_code
        try:
            rendered = self.renderer.render(node, columns=self.columns_of)
        except RenderError as e:
            self._render_failed(node, e)
            return None
        self.notes_for(node).extend(rendered.notes)
        ctes: list[tuple[str, str]] = []
        for uid in self._ephemeral_closure(rendered.ephemerals):
            body = self.rendered.get(uid)
            if body is None:
                self.notes_for(node).append(
                    Diagnostic.of(
                        RENDER_ID,
                        f"the ephemeral model {self.project.nodes[uid].name} it reads could not be rendered",
                        severity=Severity.ERROR,
                    )
                )
                return None
            ctes.append((f"__dbt__cte__{self.project.nodes[uid].name}", body))
        return inject_ctes(rendered.sql, ctes, self.read)

    def _ephemeral_closure(self, direct: list[str]) -> list[str]:
        """Ephemeral models to inline, those they read first (as dbt orders them)."""
        ordered: list[str] = []

        def visit(uid: str) -> None:
            if uid in ordered:
                return
            for parent in self.parents.get(uid, []):
                if self.project.nodes[parent].materialized == "ephemeral":
                    visit(parent)
            ordered.append(uid)

        for uid in direct:
            visit(uid)
        return ordered

    def _readable_parents(self, uid: str) -> list[str]:
        """The tables a model reads: its parents, and those of the ephemeral models it inlines."""
        found: list[str] = []
        for parent in self.parents.get(uid, []):
            if self.project.nodes[parent].materialized == "ephemeral":
                found += [p for p in self._readable_parents(parent) if p not in found]
            elif parent not in found:
                found.append(parent)
        return found

    def broken(self, uid: str) -> bool:
        """Whether the columns of the table ``uid`` (translated before its readers) cannot be
        trusted: it was not translated, it has an error of its own, or it reads such a table."""
        if uid not in self._broken:
            node = self.project.nodes[uid]
            outcome = self.outcomes.get(uid)
            if node.resource_type == "source":
                self._broken[uid] = False
                return False
            self._broken[uid] = outcome is None or outcome.failed or any(
                d.severity is Severity.ERROR for d in outcome.diagnostics
            )
            self._broken[uid] = self._broken[uid] or any(
                self.broken(p) for p in self._readable_parents(uid)
            )
        return self._broken[uid]

    def job(self, node: Node, sql: str) -> NodeJob:
        schema: dict[str, dict[str, str]] = {}
        broken: list[str] = []
        event_time: dict[str, str] = {}
        relations: dict[str, Relation] = {}
        for parent_id in self._readable_parents(node.unique_id):
            parent = self.project.nodes[parent_id]
            columns = self.columns_of(parent)
            if columns:
                schema[parent.table_name] = dict(columns)
                if self.broken(parent_id):
                    broken.append(parent.table_name)
            outcome = self.outcomes.get(parent_id)
            if outcome is not None and outcome.relation is not None:
                relations[parent.table_name.lower()] = outcome.relation
            time_column = outcome.event_time if outcome else None
            if parent.resource_type == "source":
                time_column = parent.loaded_at_field
            if time_column:
                event_time[parent.table_name] = time_column
        declared_types = {}
        for column in node.columns.values():
            if column.data_type:
                declared = flink_type(column.data_type, self.read)
                if declared:
                    declared_types[column.name.lower()] = declared
        key, origin = declared_key(node)
        # dbt 1.9's event_time config (microbatch) names the event time outright
        incremental = str(node.config["event_time"]) if node.config.get("event_time") else None
        if (
            incremental is None
            and node.materialized == "incremental"
            and node.compiled_code is None
        ):
            try:
                text = self.renderer.render(node, columns=self.columns_of, incremental=True).sql
                incremental = incremental_column(text, node.table_name, self.read)
            except RenderError:
                incremental = None
        if node.resource_type == "seed":
            for source_id, seed_id in self.alias_of.items():
                if seed_id == node.unique_id:
                    source = self.project.nodes[source_id]
                    incremental = incremental or source.loaded_at_field
                    for column in source.columns.values():
                        if column.data_type and column.name.lower() not in declared_types:
                            declared_types[column.name.lower()] = (
                                flink_type(column.data_type, self.read) or "STRING"
                            )
        return NodeJob(
            name=node.table_name,
            resource_type=node.resource_type,
            materialized=node.materialized,
            sql=sql,
            read=self.read,
            target=self.target,
            mode=self.mode,
            parent_schema=schema,
            broken_parents=broken,
            event_time=event_time,
            parent_relations=relations,
            declared_types=declared_types,
            declared_key=key,
            key_origin=origin,
            incremental_column=incremental,
            config={
                k: v
                for k, v in node.config.items()
                if isinstance(v, (str, int, float, bool, list, dict, type(None)))
            },
            seed_path=str(node.seed_path) if node.seed_path else None,
            options=self.transpile_options,
            sink=self.sink,
        )

