"""Public data models of a dbt project migration (``shiftleft.migrate``), JSON-serializable."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

from shiftleft.models import Diagnostic, Severity


class Layer(str, Enum):
    """The Kimball folder a pipeline table goes to."""

    SOURCES = "sources"
    INTERMEDIATES = "intermediates"
    DIMENSIONS = "dimensions"
    FACTS = "facts"
    VIEWS = "views"


class Status(str, Enum):
    """What became of one dbt node."""

    TRANSLATED = "translated"  #: translated by rules, no error left
    LLM = "llm"  #: the LLM fallback translated what no rule could (answers re-checked)
    NEEDS_LLM = "needs_llm"  #: written, but some constructs no rule translates (errors say which)
    FAILED = "failed"  #: could not be rendered or read, or rejected by the planner (errors say why)
    BLOCKED = "blocked"  #: no error of its own, but a table it reads failed (diagnostic names it)
    DECLARED = "declared"  #: a dbt source: an input topic, only its DDL is written
    INLINED = "inlined"  #: an ephemeral model, inlined as a CTE into the models using it


class PipelineTable(BaseModel):
    """One Flink table of the migrated pipeline, from one dbt node."""

    name: str = Field(description="Flink table name (the dbt alias / identifier)")
    unique_id: str = Field(description="dbt unique id, e.g. model.shop.fct_orders")
    resource_type: str = Field(description="model | seed | snapshot | source")
    materialized: str = Field(
        description="table | incremental | view | ephemeral | snapshot | seed | source"
    )
    layer: Layer
    product: str
    path: str | None = Field(
        default=None, description="table folder, relative to the output folder"
    )
    ddl_path: str | None = Field(default=None, description="relative to the output folder")
    dml_path: str | None = Field(default=None, description="relative to the output folder")
    ddl: str | None = None
    dml: str | None = None
    status: Status
    changelog: str | None = Field(default=None, description="append | upsert | retract")
    primary_key: list[str] = Field(default_factory=list)
    stateful: bool = False
    event_time: str | None = Field(default=None, description="column with a watermark, if any")
    parents: list[str] = Field(default_factory=list, description="names of the tables read")
    children: list[str] = Field(default_factory=list, description="names of the tables reading it")
    source_file: str | None = Field(default=None, description="dbt file, relative to the project")
    rendered_sql: str | None = Field(default=None, description="the SQL after Jinja rendering")
    rules_applied: list[str] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]


class FileAction(str, Enum):
    WRITTEN = "written"  #: new or changed, written atomically
    UNCHANGED = "unchanged"  #: same content as on disk
    KEPT = "kept"  #: edited by the user since the last migration: left alone (use force)


class FileRecord(BaseModel):
    path: str = Field(description="relative to the output folder")
    action: FileAction


class MigrationResult(BaseModel):
    """Everything a migration produced: tables, files and project-level findings."""

    project: str = Field(description="dbt project name")
    project_dir: str
    out_dir: str | None = None
    read: str = Field(description="SQL dialect of the rendered models")
    target: str
    tables: list[PipelineTable] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list, description="about the project")
    files: list[FileRecord] = Field(default_factory=list)
    planned: bool = Field(
        default=False, description="every statement was checked by the Flink 2.3 planner"
    )

    def table(self, name: str) -> PipelineTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)

    def counts(self) -> dict[str, int]:
        """Number of tables per status value (every status present, zeros included)."""
        counts = {s.value: 0 for s in Status}
        for t in self.tables:
            counts[t.status.value] += 1
        return counts

    @property
    def ok(self) -> bool:
        """True when no table failed and no table or project diagnostic is an error."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics) and not any(
            t.status in (Status.FAILED, Status.NEEDS_LLM) or t.errors for t in self.tables
        )
