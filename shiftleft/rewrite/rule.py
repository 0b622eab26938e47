"""The rule contract shared by declarative (``.rules``) and Python rules.

A rule has a stable id (``SL`` + 4 digits, never reused), a kebab-case name, a one-line title,
a rationale, and before/after examples that the test suite runs.  It declares the sqlglot node
types it looks at; the engine calls :meth:`Rule.apply` once per node of those types, children
before parents, and never on nodes that another rule produced.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict
from sqlglot import exp

from shiftleft.errors import RuleDefinitionError
from shiftleft.models import Mode, Target
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.options import StreamingOptions

RULE_ID = re.compile(r"^SL\d{4}$")
RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Example(BaseModel):
    """A before/after pair: transpiling ``before`` must give exactly ``after``.

    ``diagnoses``: the example must also raise a diagnostic of this rule (for rules that
    report instead of, or as well as, rewriting).
    """

    model_config = ConfigDict(frozen=True)

    before: str
    after: str
    read: str = "spark"
    target: Target = Target.FLINK
    mode: Mode = Mode.STREAMING
    diagnoses: bool = False
    #: transpile arguments the example needs: column types and event-time columns
    types: dict[str, dict[str, str]] = {}  # passed as schema=
    event_time: dict[str, str] = {}
    streaming: StreamingOptions = StreamingOptions()


class Rule:
    """Base class of every rewrite rule.

    Subclasses set the class attributes and implement :meth:`apply`.  The docstring of a
    Python rule is its rationale unless ``rationale`` is set.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    title: ClassVar[str]
    rationale: ClassVar[str] = ""
    node_types: ClassVar[tuple[type[exp.Expr], ...]]
    examples: ClassVar[tuple[Example, ...]] = ()
    modes: ClassVar[frozenset[Mode]] = frozenset(Mode)
    targets: ClassVar[frozenset[Target]] = frozenset(Target)
    tags: ClassVar[frozenset[str]] = frozenset()
    #: "rewrite" rules run in a first pass; "check" rules in a second pass over the final
    #: tree, whatever pack they come from, so a check (e.g. "unmapped function") sees
    #: exactly what no rewrite rule translated.
    phase: ClassVar[str] = "rewrite"
    #: where the rule was defined (file path), for error messages and docs
    origin: ClassVar[str] = "<python>"
    #: the pack the rule came from
    pack: ClassVar[str] = ""

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        """Return a replacement for ``node``, ``node`` itself after changing it in place, or
        None when the rule does not apply (nothing changed).

        May also report diagnostics with ``ctx.report(node, ...)``.  Must not modify anything
        outside ``node``'s subtree.  Once a rule replaced a node, later rules of the same pass
        do not see it; a node changed in place is offered to the remaining rules.
        """
        raise NotImplementedError

    def applies_to(self, target: Target, mode: Mode) -> bool:
        return target in self.targets and mode in self.modes

    @classmethod
    def validate_definition(cls) -> None:
        """Raise :class:`RuleDefinitionError` when the rule's metadata is incomplete."""
        where = f"rule {getattr(cls, 'id', cls.__name__)} ({cls.origin})"
        if not RULE_ID.match(getattr(cls, "id", "")):
            raise RuleDefinitionError(f"{where}: id must look like SL1234")
        if not RULE_NAME.match(getattr(cls, "name", "")):
            raise RuleDefinitionError(f"{where}: name must be kebab-case, e.g. 'nvl-to-coalesce'")
        if not getattr(cls, "title", "").strip():
            raise RuleDefinitionError(f"{where}: a title is required")
        if not (cls.rationale or cls.__doc__ or "").strip():
            raise RuleDefinitionError(f"{where}: a rationale (or docstring) is required")
        if not getattr(cls, "node_types", ()):
            raise RuleDefinitionError(f"{where}: node_types must name at least one sqlglot class")
        if cls.phase not in ("rewrite", "check"):
            raise RuleDefinitionError(f"{where}: phase must be 'rewrite' or 'check'")
        if not cls.examples:
            raise RuleDefinitionError(f"{where}: at least one example is required")

    @property
    def doc(self) -> str:
        return (self.rationale or self.__doc__ or "").strip()

    def __repr__(self) -> str:
        return f"<Rule {self.id} {self.name}>"
