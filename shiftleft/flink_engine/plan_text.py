"""The optimized physical plan in a Flink ``EXPLAIN`` text: the one reader of that text.

``TableEnvironment.explainSql`` (and ``EXPLAIN ...``) prints three sections; the second,
``== Optimized Physical Plan ==``, is the operator tree the job would run, one operator a line,
each child indented under its parent (``+-``, ``:-``, ``:  ``), and with
``ExplainDetail.CHANGELOG_MODE`` (``EXPLAIN CHANGELOG_MODE``) the changes each operator
emits::

    == Optimized Physical Plan ==
    Sink(table=[default_catalog.default_database.t], fields=[id, v], changelogMode=[NONE])
    +- Calc(select=[id, v], changelogMode=[I])
       +- Rank(..., partitionBy=[id], orderBy=[v ASC], select=[id, v], changelogMode=[I])
          +- Exchange(distribution=[hash[id]], changelogMode=[I])

    == Optimized Execution Plan ==

:func:`physical_plan` reads that section into a :class:`PhysicalPlan`: its lines in order,
each a :class:`PlanLine` (depth, operator, arguments, and the ``name=[...]`` fields of the
arguments such as ``changelogMode``, ``partitionBy`` or ``upsertKeys``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHYSICAL_HEADER = "== Optimized Physical Plan =="
EXECUTION_HEADER = "== Optimized Execution Plan =="
_OPERATOR = re.compile(r"^(?P<indent>[\s:|+-]*)(?P<name>\w+)\((?P<args>.*)\)\s*$")


@dataclass(frozen=True)
class PlanLine:
    """One line of the physical plan.  An operator line has its ``operator`` name, its
    ``depth`` (the column where the name starts: a child is deeper than its parent) and its
    ``args`` (the text between the outer parentheses); any other line has ``operator`` "" ."""

    text: str
    depth: int = 0
    operator: str = ""
    args: str = ""

    def value(self, name: str) -> str | None:
        """The text inside ``name=[...]`` on this line (None: no such field); ``[...]`` ends at
        the first ``]``, as the planner prints lists of names."""
        found = re.search(rf"\b{re.escape(name)}=\[([^\]]*)\]", self.text)
        return found.group(1) if found else None

    def field(self, name: str) -> str:
        """:meth:`value`, "" when the field is absent."""
        return self.value(name) or ""

    @property
    def changelog_mode(self) -> list[str] | None:
        """The changes the operator emits (``["I", "UB", "UA", "D"]``; ``["NONE"]`` for a
        sink); None when the plan was explained without ``CHANGELOG_MODE``."""
        modes = self.value("changelogMode")
        return None if modes is None else modes.split(",")


@dataclass(frozen=True)
class PhysicalPlan:
    """The optimized physical plan, line by line (empty when the text has none)."""

    lines: tuple[PlanLine, ...] = ()

    @property
    def operators(self) -> tuple[PlanLine, ...]:
        """The operator lines, root first, in the planner's (depth-first) order."""
        return tuple(line for line in self.lines if line.operator)

    def line(self, index: int) -> PlanLine | None:
        """The ``index``-th line below the header (0: the root), None past the end."""
        return self.lines[index] if 0 <= index < len(self.lines) else None

    def ancestors(self, index: int) -> list[PlanLine]:
        """The operators above ``operators[index]``, its parent first, up to the root."""
        operators = self.operators
        out: list[PlanLine] = []
        level = operators[index].depth
        for above in reversed(operators[:index]):
            if above.depth < level:
                out.append(above)
                level = above.depth
        return out


def physical_plan(explain: str) -> PhysicalPlan:
    """The ``== Optimized Physical Plan ==`` section of an explain text, up to the next
    section (``== Optimized Execution Plan ==``) or the end."""
    start = explain.find(PHYSICAL_HEADER)
    if start < 0:
        return PhysicalPlan()
    end = explain.find(EXECUTION_HEADER, start)
    lines = []
    for text in explain[start : end if end > start else None].splitlines()[1:]:
        found = _OPERATOR.match(text)
        if found is None:
            lines.append(PlanLine(text))
        else:
            depth = len(found.group("indent"))
            lines.append(PlanLine(text, depth, found.group("name"), found.group("args")))
    return PhysicalPlan(tuple(lines))
