"""Public data models returned by :func:`shiftleft.transpile` (pydantic, JSON-serializable)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shiftleft.codes import default_severity
from shiftleft.errors import InternalError


class Severity(str, Enum):
    """How bad a diagnostic is.

    * ``error``: the output is not valid or not equivalent Flink SQL for that construct (an
      unmapped function, a construct Flink lacks); it must be fixed by hand or by the LLM.
    * ``warning``: translated, but semantics may differ (e.g. NULL handling) or state may grow.
    * ``info``: a note about a rewrite that was applied.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Target(str, Enum):
    """Which Flink the output is for."""

    FLINK = "flink"  #: open-source Apache Flink 2.x
    CONFLUENT = "confluent"  #: Confluent Cloud for Apache Flink


class Mode(str, Enum):
    """Runtime mode of the generated job."""

    STREAMING = "streaming"
    BATCH = "batch"


_OPTIONAL_INT = (int, type(None))
_OPTIONAL_STR = (str, type(None))
#: the exact types each field of :class:`Diagnostic` is stored as
_EXACT_TYPES = {
    "rule_id": (str,),
    "message": (str,),
    "statement": _OPTIONAL_INT,
    "line": _OPTIONAL_INT,
    "column": _OPTIONAL_INT,
    "suggestion": _OPTIONAL_STR,
    "snippet": _OPTIONAL_STR,
}


# made only by Diagnostic.of (tests/core/test_architecture.py checks that no module calls the
# constructor): the one place that knows a code's default severity
class Diagnostic(BaseModel):
    """One finding about one place in the input."""

    model_config = ConfigDict(frozen=True)

    rule_id: str = Field(description="Stable id of the rule or check that raised it, e.g. SL1001")
    severity: Severity
    message: str
    statement: int | None = Field(default=None, description="1-based statement index in the script")
    line: int | None = Field(default=None, description="1-based line in the input script")
    column: int | None = Field(default=None, description="1-based column in the input script")
    suggestion: str | None = Field(default=None, description="What to do about it")
    snippet: str | None = Field(default=None, description="The input construct concerned")

    @classmethod
    def of(
        cls,
        code: str,
        message: str,
        *,
        severity: Severity | str | None = None,
        statement: int | None = None,
        line: int | None = None,
        column: int | None = None,
        suggestion: str | None = None,
        snippet: str | None = None,
    ) -> Diagnostic:
        """The diagnostic ``code`` says ``message`` about a place (``statement``, ``line``,
        ``column`` of the input, each when known).

        ``severity`` defaults to the one :data:`shiftleft.codes.CODES` declares for ``code``;
        a code that declares none (a rule's id, a code whose findings differ in weight) must
        be given one."""
        if severity is None:
            severity = default_severity(code)
        if severity is None:
            raise InternalError(f"diagnostic {code} without a severity (and none declared in codes.py)")
        fields: dict[str, Any] = {
            "rule_id": code,
            "severity": Severity(severity),
            "message": message,
            "statement": statement,
            "line": line,
            "column": column,
            "suggestion": suggestion,
            "snippet": snippet,
        }
        if all(type(fields[k]) in allowed for k, allowed in _EXACT_TYPES.items()):
            # already the fields' own types: what validation would return, without its cost
            # (rules report many per statement)
            return cls.model_construct(**fields)
        return cls(**fields)

    def format(self, path: str = "<input>") -> str:
        """A compiler-style one-liner: ``path:line:col: severity [id] message``."""
        loc = path
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        text = f"{loc}: {self.severity.value} [{self.rule_id}] {self.message}"
        if self.suggestion:
            text += f" (suggestion: {self.suggestion})"
        return text


class OutputKind(str, Enum):
    """What one output statement is."""

    SINK_DDL = "sink_ddl"  #: CREATE TABLE of a sink shiftleft wrote for a query
    TABLE_DDL = "table_ddl"  #: CREATE TABLE (the user's)
    VIEW_DDL = "view_ddl"  #: CREATE VIEW
    CTAS = "ctas"  #: CREATE TABLE ... AS SELECT
    INSERT = "insert"  #: INSERT INTO
    QUERY = "query"  #: a bare query
    OTHER = "other"  #: SET, USE, ...


class OutputStatement(BaseModel):
    """One generated Flink statement, with the streaming semantics derived for it."""

    kind: OutputKind
    sql: str = Field(description="the statement, without the trailing semicolon")
    changelog: str | None = Field(
        default=None,
        description="append | upsert | retract: what the statement's query emits (a sink: what it takes)",
    )
    keys: list[list[str]] = Field(default_factory=list, description="derived unique keys of its query")
    primary_key: list[str] = Field(default_factory=list, description="the key an upsert sink is keyed on")
    time_attributes: list[str] = Field(default_factory=list, description="event-time columns still valid")


class StatementResult(BaseModel):
    """The translation of one input statement."""

    index: int = Field(description="1-based position in the input script")
    source: str = Field(description="The input statement text")
    sql: str = Field(description="Generated Flink SQL, without the trailing semicolon")
    line: int = Field(description="1-based line where the input statement starts")
    rules_applied: list[str] = Field(default_factory=list, description="Rule ids, in order of first use")
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    outputs: list[OutputStatement] = Field(
        default_factory=list,
        description="the generated statements one by one (a sink DDL, then the INSERT), with kind and changelog",
    )


class TranspileResult(BaseModel):
    """Flink SQL for a whole script, with what was done and what could not be."""

    sql: str = Field(description="All statements, each ending with ';' and a newline")
    statements: list[StatementResult]
    read: str
    target: Target
    mode: Mode
    sources: list[str] = Field(
        default_factory=list,
        description="CREATE TABLE statements of the source tables (transpile(sources=True)); "
        "they open `sql`",
    )
    script_diagnostics: list[Diagnostic] = Field(
        default_factory=list, description="Findings about the script as a whole (not one statement)"
    )

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [*self.script_diagnostics, *(d for s in self.statements for d in s.diagnostics)]

    @property
    def rules_applied(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.statements:
            seen.update(dict.fromkeys(s.rules_applied))
        return list(seen)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return not self.errors

    def __str__(self) -> str:
        return self.sql
