"""The rule catalogue: what ``shiftleft rules`` lists and the README's rule table shows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from shiftleft.rewrite.registry import resolve_rules
from shiftleft.rewrite.rule import Example


class RuleInfo(BaseModel):
    id: str
    name: str
    title: str
    rationale: str
    pack: str
    phase: str
    origin: str
    examples: list[Example]


def rules_catalog(extra_packs: Sequence[str | Path] | None = None) -> list[RuleInfo]:
    ruleset = resolve_rules(extra_packs)
    return sorted(
        (
            RuleInfo(
                id=r.id,
                name=r.name,
                title=r.title,
                rationale=r.doc,
                pack=r.pack,
                phase=r.phase,
                origin=r.origin,
                examples=list(r.examples),
            )
            for r in ruleset
        ),
        key=lambda r: r.id,
    )


def rules_markdown(catalog: list[RuleInfo]) -> str:
    lines = ["| id | name | what it does |", "|---|---|---|"]
    for r in catalog:
        title = r.title.replace("|", r"\|")
        lines.append(f"| {r.id} | `{r.name}` | {title} |")
    return "\n".join(lines) + "\n"


def rule_doc(rule: RuleInfo) -> str:
    """What ``shiftleft rules ID`` prints: what it does, why, and its examples."""
    lines = [f"{rule.id} {rule.name}: {rule.title}", f"(pack {rule.pack}, {rule.origin})", "", rule.rationale, ""]
    for example in rule.examples:
        lines += [f"  {example.read}:   {example.before}", f"  flink:   {example.after}", ""]
    return "\n".join(lines)
