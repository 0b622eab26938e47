"""``Diagnostic.of``, the one factory of diagnostics: a code's declared severity is its
default, an explicit one wins, and a code that declares none cannot be left without one (a
static check of every call in the package makes sure none is)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shiftleft.codes import CODES, default_severity
from shiftleft.errors import InternalError
from shiftleft.models import Diagnostic, Severity

PACKAGE = Path(__file__).resolve().parents[2] / "shiftleft"
DECLARED = sorted(code for code, doc in CODES.items() if doc.severity is not None)
UNDECLARED = sorted(code for code, doc in CODES.items() if doc.severity is None)


def test_declared_severities_are_severities() -> None:
    assert DECLARED, "no code declares a severity: the default path is not tested"
    assert {CODES[c].severity for c in DECLARED} <= {s.value for s in Severity}


@pytest.mark.parametrize("code", DECLARED)
def test_a_declared_code_gives_its_severity_unless_told_otherwise(code: str) -> None:
    assert Diagnostic.of(code, "m").severity == Severity(CODES[code].severity)
    other = next(s for s in Severity if s.value != CODES[code].severity)
    assert Diagnostic.of(code, "m", severity=other).severity is other


@pytest.mark.parametrize("code", [*UNDECLARED[:3], "SL1001", "SL9999"])
def test_a_code_without_a_declared_severity_must_be_given_one(code: str) -> None:
    with pytest.raises(InternalError, match=code):
        Diagnostic.of(code, "m")
    assert Diagnostic.of(code, "m", severity="info").severity is Severity.INFO


def test_the_factory_keeps_every_field() -> None:
    fields = {"statement": 2, "line": 3, "column": 4, "suggestion": "s", "snippet": "x"}
    made = Diagnostic.of("SL9002", "msg", severity=Severity.WARNING, **fields)
    assert made.model_dump() == {"rule_id": "SL9002", "severity": Severity.WARNING, "message": "msg", **fields}


def _code_constants() -> dict[str, set[str]]:
    """Module-level ``NAME = "..."`` string assignments of the package, by name."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, set()).add(node.value.value)
    return found


def test_a_call_without_a_severity_names_a_code_that_declares_one() -> None:
    """A factory call without ``severity=`` must name its code (a literal or a constant) and
    the code must declare its severity in codes.py; else the call would fail when it runs."""
    constants = _code_constants()
    calls = 0
    undeclared = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "of"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == "Diagnostic"
            ):
                continue
            calls += 1
            if any(k.arg == "severity" for k in call.keywords):
                continue
            code = call.args[0] if call.args else None
            if isinstance(code, ast.Constant):
                codes = {code.value}
            else:
                codes = constants.get(code.id, set()) if isinstance(code, ast.Name) else set()
            if len(codes) != 1 or default_severity(next(iter(codes))) is None:
                undeclared.append(f"{path.relative_to(PACKAGE)}:{call.lineno}")
    assert calls > 0
    assert undeclared == []
