"""What the embedded Flink planner says about a script: :class:`PlanReport`, one
:class:`PlannedStatement` per statement, each rejection a :class:`PlannerError` with its
position in the whole script."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

StatementKind = Literal["ddl", "query", "insert", "statement_set", "other"]
PlanMode = Literal["streaming", "batch"]

class PlannerError(BaseModel):
    """One statement rejected by the Flink planner."""

    model_config = ConfigDict(frozen=True)

    statement: int = Field(description="1-based index of the statement in the script")
    message: str = Field(description="the planner's message, without Java stack frames")
    line: int | None = Field(default=None, description="1-based line in the whole script")
    column: int | None = Field(default=None, description="1-based column in the whole script")
    end_line: int | None = None
    end_column: int | None = None
    exception_class: str | None = Field(
        default=None,
        description="Java class of the outermost exception, e.g. "
        "org.apache.flink.table.api.ValidationException",
    )

    def __str__(self) -> str:
        where = [f"statement {self.statement}"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class PlannedStatement(BaseModel):
    """One statement of the script and what the planner said about it."""

    index: int = Field(description="1-based position in the script")
    sql: str
    kind: StatementKind
    line: int = Field(description="1-based line where the statement starts in the script")
    column: int = Field(description="1-based column where the statement starts")
    errors: list[PlannerError] = Field(default_factory=list)
    plan: str | None = Field(default=None, description="explain output (queries / inserts)")
    elapsed_ms: float = 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.errors

    @computed_field  # type: ignore[prop-decorator]
    @property
    def error(self) -> PlannerError | None:
        """The first error (a statement set can have one per INSERT)."""
        return self.errors[0] if self.errors else None


class PlanReport(BaseModel):
    """The planner's verdict on a whole script."""

    mode: PlanMode
    statements: list[PlannedStatement] = Field(default_factory=list)
    elapsed_s: float = 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.statements)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def errors(self) -> list[PlannerError]:
        return [e for s in self.statements for e in s.errors]

    def __str__(self) -> str:
        head = f"{len(self.statements)} statement(s), {self.mode} mode: "
        if self.ok:
            return head + "accepted"
        return head + f"{len(self.errors)} error(s)\n" + "\n".join(f"  {e}" for e in self.errors)
