"""What the LLM fallback sends: the prompt for one untranslated node and the answer schema.

A request holds only the node's own SQL (as Flink SQL, since the rules already translated its
arguments), the name of the function no rule translated, the types of the columns the node
reads when the user's schema declares them, the target and mode, and a few relevant entries of
shiftleft's rule catalogue.  Nothing else of the user's script is sent.

The model must answer with JSON matching :class:`LLMAnswer` (passed as Ollama's ``format``).
Everything here is deterministic: the same node in the same context gives the same messages,
byte for byte, so the answer cache (keyed by the messages) hits on re-runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from shiftleft.models import Mode, Target

#: one chat message as Ollama takes it
Message = dict[str, str]

#: at most this many rule-catalogue entries go into one prompt
MAX_RULE_HINTS = 4


# The structured answer the model must give; its JSON schema (descriptions included, so they
# are written for the model) is Ollama's ``format``.
class LLMAnswer(BaseModel):
    """The translation of one SQL expression into Flink SQL."""

    flink_sql: str = Field(
        description=(
            "One Flink SQL expression that replaces the input expression exactly: no SELECT, "
            "no alias, no trailing semicolon. Empty string when Flink has no equivalent."
        )
    )
    explanation: str = Field(description="One or two sentences: how the translation works")


#: the ``format`` argument of every chat request (a JSON schema; part of the cache key)
ANSWER_FORMAT: dict[str, Any] = LLMAnswer.model_json_schema()

#: options of every chat request: deterministic sampling (part of the cache key)
CHAT_OPTIONS: dict[str, Any] = {"temperature": 0, "seed": 0}

_TARGETS = {
    Target.FLINK: "open-source Apache Flink 2.3 SQL",
    Target.CONFLUENT: "Confluent Cloud for Apache Flink SQL (no user-defined functions available)",
}

SYSTEM_PROMPT = """\
You translate one SQL expression into {target}, {mode} mode.
The expression comes from a {read} SQL query that shiftleft translated to Flink; everything in it \
is Flink SQL already except the function(s) named in the request, which keep their {read} \
meaning and are not Flink built-in functions.
Rules for your answer:
- Reply with JSON only, matching the given schema: {{"flink_sql": "...", "explanation": "..."}}.
- flink_sql is ONE Flink SQL expression that computes the same value as the input expression, \
including for NULL inputs. It replaces the input expression in place.
- Use only Flink built-in functions and operators. No user-defined functions, no subqueries, \
no SELECT, no alias, no comments, no trailing semicolon.
- Reference only the columns the input expression references, spelled the same way.
- Keep the kind of expression: a scalar stays scalar, an aggregate stays an aggregate.
- Flink arrays are 1-based; Flink regular expressions are Java regular expressions; string \
literals use single quotes.
- If Flink has no faithful equivalent, reply with an empty flink_sql and say why in explanation."""


@dataclass(frozen=True)
class NodeRequest:
    """Everything the prompt says about one untranslated node."""

    #: the node as target-dialect SQL (its arguments are already translated)
    sql: str
    #: upper-case names of the functions no rule translated, outermost first
    functions: tuple[str, ...]
    read: str
    target: Target
    mode: Mode
    #: ``(column SQL, declared type SQL or None)`` for each distinct column the node reads
    columns: tuple[tuple[str, str | None], ...] = ()
    #: rule-catalogue lines (see :func:`rule_hints`)
    hints: tuple[str, ...] = field(default=())


def build_messages(request: NodeRequest) -> list[Message]:
    """The system and user messages of the first request about ``request``."""
    system = SYSTEM_PROMPT.format(
        target=_TARGETS[request.target], mode=request.mode.value, read=request.read
    )
    names = ", ".join(request.functions)
    lines = [
        f"Translate this expression into {_TARGETS[request.target]}.",
        f"Not Flink built-ins ({request.read} semantics): {names}",
        "Expression:",
        request.sql,
    ]
    if request.columns:
        lines.append("Input columns and their types:")
        lines += [f"- {col}: {ty or 'unknown type'}" for col, ty in request.columns]
    else:
        lines.append("Input columns: none")
    if request.hints:
        lines.append("Related shiftleft translation rules (for reference):")
        lines += [f"- {hint}" for hint in request.hints]
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n".join(lines)}]


def retry_messages(messages: Sequence[Message], answer: str, error: str) -> list[Message]:
    """``messages`` followed by the rejected answer and the reason it was rejected."""
    feedback = (
        f"Your answer was rejected: {error}\n"
        "Reply again with JSON matching the schema, fixing that problem."
    )
    return [*messages, {"role": "assistant", "content": answer}, {"role": "user", "content": feedback}]


_WORD = re.compile(r"[a-z][a-z0-9]*")


def rule_hints(functions: Sequence[str], rules: Sequence[Any], limit: int = MAX_RULE_HINTS) -> tuple[str, ...]:
    """Catalogue lines of the rewrite rules related to ``functions`` by name.

    A rule is related when a word of its name (``date-add-to-timestampadd``: date, add, ...)
    is a word of one of the function names (``date_part``: date, part).  Words of two letters
    or fewer are ignored.  The result is in rule-id order, so it is deterministic.
    """
    words = {w for f in functions for w in _WORD.findall(f.lower()) if len(w) > 2}
    if not words:
        return ()
    lines: list[str] = []
    for rule in sorted(rules, key=lambda r: r.id):
        if getattr(rule, "phase", "rewrite") != "rewrite":
            continue
        if not words & set(rule.name.split("-")):
            continue
        line = f"{rule.id}: {rule.title}"
        examples = getattr(rule, "examples", ())
        if examples:
            line += f" (e.g. {examples[0].before} => {examples[0].after})"
        lines.append(line)
        if len(lines) >= limit:
            break
    return tuple(lines)
