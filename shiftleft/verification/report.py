"""What :func:`~shiftleft.verification.verify` reports: plan results, per-statement row
checks and diagnostics (codes ``SLV001``..``SLV005``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shiftleft.flink_engine.planner import PlanReport
from shiftleft.models import Diagnostic, Severity
from shiftleft.verification.diff import RowDiff

PLANNER_ERROR = "SLV001"
RUNTIME_ERROR = "SLV002"
ROWS_DIFFER = "SLV003"
SOURCE_ERROR = "SLV004"
NOT_RECONCILED = "SLV005"


class StatementCheck(BaseModel):
    """The reconciliation of one statement (a query, or the query of an INSERT / CTAS)."""

    statement: int = Field(description="1-based statement index in the script")
    source: str = Field(description="the source query (input dialect)")
    flink_sql: str = Field(description="the translated query run on Flink")
    status: Literal["equal", "different", "error", "skipped"]
    reason: str | None = Field(default=None, description="why different / error / skipped")
    diff: RowDiff | None = Field(default=None, description="the row diff, when compared")
    expected_rows: int | None = None
    actual_rows: int | None = None


class VerifyReport(BaseModel):
    """What :func:`verify` found: plan results, reconciliation diffs, diagnostics."""

    read: str
    target: str
    mode: str
    translated_sql: str = Field(description="the translation that was verified")
    planned_sql: str = Field(description="what was planned (after the Confluent→OSS mapping)")
    plan: PlanReport | None = Field(default=None, description="planner results, if planned")
    checks: list[StatementCheck] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def planned(self) -> bool:
        """True when planning ran and Flink accepted every statement."""
        return self.plan is not None and bool(self.plan.ok)

    @property
    def reconciled(self) -> bool:
        """True when at least one statement was compared and all compared ones are equal
        (:meth:`verdict` still says "NOT verified" while a statement was skipped)."""
        compared = [c for c in self.checks if c.status != "skipped"]
        return bool(compared) and all(c.status == "equal" for c in compared)

    @property
    def ok(self) -> bool:
        """No error diagnostic (planner rejection, Flink failure, differing rows)."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def format(self, path: str = "<translation>") -> str:
        """A human-readable report (diagnostics, then one line per reconciled statement)."""
        lines = [d.format(path) for d in self.diagnostics]
        if self.plan is not None:
            n = len(self.plan.statements)
            lines.append(
                f"plan ({self.mode}): {n - len(self.plan.errors)}/{n} statements accepted"
            )
        for c in self.checks:
            text = f"statement {c.statement}: {c.status}"
            if c.reason:
                text += f": {c.reason}"
            lines.append(text)
            diff = c.diff
            if diff is not None and not diff.ok:
                for m in diff.mismatched[:5]:
                    lines.append(
                        f"  mismatched {m.key}: {', '.join(m.columns)}: expected "
                        f"{ {k: m.expected[k] for k in m.columns} } got "
                        f"{ {k: m.actual[k] for k in m.columns} }"
                    )
                for r in diff.missing[:5]:
                    lines.append(f"  missing {r.key}: {r.row}")
                for r in diff.extra[:5]:
                    lines.append(f"  extra {r.key}: {r.row}")
        lines.append(self.verdict())
        return "\n".join(lines) + "\n"

    def verdict(self) -> str:
        """The last line of :meth:`format`: "verified" only when rows were compared."""
        if not self.ok:
            return "NOT verified"
        if self.reconciled:
            skipped = [c.statement for c in self.checks if c.status == "skipped"]
            if skipped:
                compared = len(self.checks) - len(skipped)
                listed = ", ".join(str(i) for i in skipped)
                return (
                    f"NOT verified: {compared} of {len(self.checks)} statements compared and equal; "
                    f"rows not compared for statement {listed}"
                )
            return "verified"
        if self.planned:
            return "NOT verified: Flink accepts the translation, but no rows were compared (give --seeds or --generate-rows)"
        return "NOT verified: nothing was compared"

    def __str__(self) -> str:
        return self.format()
