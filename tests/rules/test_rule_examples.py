"""Every rule's before/after examples, run through the full transpile pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

import shiftleft
from shiftleft.rewrite.registry import builtin_rules

RULES = list(builtin_rules())
CASES = [
    pytest.param(rule, example, id=f"{rule.id}-{i}")
    for rule in RULES
    for i, example in enumerate(rule.examples)
]


def test_every_pack_on_disk_is_loaded_and_every_rule_has_examples() -> None:
    """The cases below cover every rule: each pack folder of rules/ contributes rules and each
    rule brings at least one example."""
    packs = {p.name for p in (Path(__file__).resolve().parents[2] / "rules").iterdir() if p.is_dir()}
    packs.discard("__pycache__")
    assert {rule.pack for rule in RULES} == packs
    assert [rule.id for rule in RULES if not rule.examples] == []


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(rule, example) -> None:  # type: ignore[no-untyped-def]
    options = {"read": example.read, "target": example.target, "mode": example.mode, "schema": example.types, "event_time": example.event_time, "streaming": example.streaming}
    result = shiftleft.transpile(example.before, **options)
    assert result.sql.rstrip().rstrip(";") == example.after
    own = [d for d in result.diagnostics if d.rule_id == rule.id]
    if example.diagnoses:
        assert own, f"{rule.id} should have reported a diagnostic on {example.before!r}"
    else:
        assert not own, f"unexpected diagnostics: {own}"
    without = shiftleft.transpile(example.before, **options, disable=[rule.id])
    # Some rules restate, with an id and docs, what the Flink dialect would also print (nvl
    # -> COALESCE); where the output does depend on the rule, the rule must say it applied.
    if without.sql != result.sql:
        assert rule.id in result.rules_applied, "the rule changed the output but is not listed"


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_metadata(rule) -> None:  # type: ignore[no-untyped-def]
    rule.validate_definition()
    assert len(rule.title) <= 100, "titles are one line"
    assert rule.doc, "every rule explains why"
