"""Load declarative rules (``*.rules`` files, grammar ``grammars/rules.lark``).

Each ``rule`` block becomes a :class:`DeclarativeRule`: its ``match`` pattern is parsed in the
rule's read dialect (default spark) and its ``replace`` template as Flink SQL, once at load time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import lark
from sqlglot import exp
from sqlglot.errors import SqlglotError

from shiftleft.errors import RuleDefinitionError
from shiftleft.models import Mode, Severity, Target
from shiftleft.resources import grammar
from shiftleft.rewrite.context import RuleContext
from shiftleft.rewrite.pattern import (
    PLACEHOLDER,
    Bindings,
    instantiate,
    match,
    parse_pattern,
    parse_type_pattern,
    placeholder_name,
    placeholders_in,
)
from shiftleft.rewrite.predicates import PREDICATES
from shiftleft.rewrite.rule import Example, Rule

Condition = Callable[[Bindings, RuleContext], bool]


@cache
def _parser() -> lark.Lark:
    return lark.Lark(grammar("rules.lark"), parser="lalr", propagate_positions=True)


class DeclarativeRule(Rule):
    """A rule written in the rule language: pattern ⇒ template, condition, diagnostic."""

    pattern: exp.Expr
    template: exp.Expr | None
    condition: Condition | None
    severity: Severity | None
    message: str | None
    suggestion: str | None
    read: str
    #: the template is the pattern again (``nvl($a, $b)`` -> ``COALESCE($a, $b)``: one sqlglot
    #: node), a name the generator writes: the rule changes nothing
    identity: bool

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        bindings: Bindings = {}
        if not match(self.pattern, node, bindings):
            return None
        if self.condition is not None and not self.condition(bindings, ctx):
            return None
        if self.message:
            ctx.report(
                node,
                _render(self.message, bindings, ctx.read),
                severity=self.severity or Severity.WARNING,
                suggestion=_render(self.suggestion, bindings, ctx.read) if self.suggestion else None,
            )
        if self.template is None:
            return None
        if self.identity:  # the node is kept as it is, so the rules after this one still see it
            return node
        return instantiate(self.template, bindings)


def _render(text: str, bindings: Bindings, dialect: str) -> str:
    """Substitute ``$x`` in a message with the SQL of what ``$x`` bound to."""

    def sub(m: Any) -> str:
        bound = bindings.get(m.group(1))
        if bound is None:
            return m.group(0)
        if isinstance(bound, list):
            return ", ".join(b.sql(dialect) for b in bound)
        return bound.sql(dialect)

    return PLACEHOLDER.sub(sub, text)


def _unquote(token: lark.Token) -> str:
    text = str(token)
    if text.startswith('"""'):
        body = text[3:-3]
        # Dedent a multi-line string the way docstrings are.
        import inspect

        return inspect.cleandoc(body)
    body = text[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\")


class _Builder(lark.Transformer):
    """Turn the parse tree into plain dicts; semantic checks happen in :func:`_make_rule`."""

    def string(self, items: list[lark.Token]) -> str:
        return _unquote(items[0])

    def _one(name: str) -> Callable[..., tuple[str, Any]]:  # type: ignore[misc]
        def build(self: Any, items: list[Any]) -> tuple[str, Any]:
            return name, items[0]

        return build

    title = _one("title")
    rationale = _one("rationale")
    match = _one("match")
    match_type = _one("match_type")
    replace = _one("replace")
    replace_type = _one("replace_type")
    message = _one("message")
    suggestion = _one("suggestion")
    when = _one("when")

    def read(self, items: list[lark.Token]) -> tuple[str, str]:
        return "read", str(items[0])

    def severity(self, items: list[lark.Token]) -> tuple[str, str]:
        return "severity", str(items[0])

    def example(self, items: list[str]) -> tuple[str, tuple[str, str]]:
        return "example", (items[0], items[1])

    def modes(self, items: list[lark.Token]) -> tuple[str, list[str]]:
        return "modes", [str(i) for i in items]

    def targets(self, items: list[lark.Token]) -> tuple[str, list[str]]:
        return "targets", [str(i) for i in items]

    def tags(self, items: list[lark.Token]) -> tuple[str, list[str]]:
        return "tags", [str(i) for i in items]

    # conditions are kept as small tuples and compiled later
    def predicate(self, items: list[lark.Token]) -> tuple[str, str, str]:
        return ("is", str(items[0])[1:], str(items[1]))

    def negate(self, items: list[Any]) -> tuple[str, Any]:
        return ("not", items[0])

    def all_of(self, items: list[Any]) -> Any:
        return items[0] if len(items) == 1 else ("and", items)

    def any_of(self, items: list[Any]) -> Any:
        return items[0] if len(items) == 1 else ("or", items)

    def rule(self, items: list[Any]) -> dict[str, Any]:
        rule_id, name, *fields = items
        data: dict[str, Any] = {"id": str(rule_id), "name": str(name), "examples": [], "line": rule_id.line}
        for key, value in fields:
            if key == "example":
                data["examples"].append(value)
            elif key in data:
                raise RuleDefinitionError(f"rule {rule_id} (line {rule_id.line}): '{key}' given twice")
            else:
                data[key] = value
        return data

    def start(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return items


def _compile_condition(tree: Any, where: str, names: set[str]) -> Condition:
    kind = tree[0]
    if kind == "is":
        _, var, pred_name = tree
        pred = PREDICATES.get(pred_name)
        if pred is None:
            raise RuleDefinitionError(
                f"{where}: unknown predicate '{pred_name}'; known: {', '.join(sorted(PREDICATES))}"
            )
        if var not in names:
            raise RuleDefinitionError(f"{where}: 'when' uses ${var}, which the pattern does not bind")

        def check(b: Bindings, ctx: RuleContext) -> bool:
            value = b.get(var)
            return isinstance(value, exp.Expr) and pred(value, ctx)

        return check
    if kind == "not":
        inner = _compile_condition(tree[1], where, names)
        return lambda b, ctx: not inner(b, ctx)
    parts = [_compile_condition(t, where, names) for t in tree[1]]
    if kind == "and":
        return lambda b, ctx: all(p(b, ctx) for p in parts)
    return lambda b, ctx: any(p(b, ctx) for p in parts)


def _make_rule(data: dict[str, Any], origin: str, pack: str) -> type[DeclarativeRule]:
    where = f"{origin}:{data['line']}: rule {data['id']}"
    read = data.get("read", "spark")
    for required in ("title", "rationale"):
        if not data.get(required):
            raise RuleDefinitionError(f"{where}: '{required}' is required")
    if ("match" in data) == ("match_type" in data):
        raise RuleDefinitionError(f"{where}: give exactly one of 'match' or 'match type'")
    is_type = "match_type" in data
    try:
        pattern = (
            parse_type_pattern(data["match_type"], read) if is_type else parse_pattern(data["match"], read)
        )
    except (SqlglotError, ValueError) as e:
        raise RuleDefinitionError(f"{where}: cannot parse the match pattern as {read} SQL: {e}") from None
    if placeholder_name(pattern):
        raise RuleDefinitionError(f"{where}: a pattern must not be a bare placeholder")
    template_text = data.get("replace_type" if is_type else "replace")
    if (("replace" in data) if is_type else ("replace_type" in data)):
        raise RuleDefinitionError(f"{where}: 'replace type' goes with 'match type', 'replace' with 'match'")
    template = None
    if template_text is not None:
        try:
            template = (
                parse_type_pattern(template_text, "flink")
                if is_type
                else parse_pattern(template_text, "flink")
            )
        except (SqlglotError, ValueError) as e:
            raise RuleDefinitionError(f"{where}: cannot parse the replacement as Flink SQL: {e}") from None
    names = placeholders_in(pattern)
    if template is not None:
        unbound = placeholders_in(template) - names
        if unbound:
            raise RuleDefinitionError(
                f"{where}: the replacement uses {', '.join('$' + n for n in sorted(unbound))} "
                "which the pattern does not bind"
            )
    if template is None and not data.get("message"):
        raise RuleDefinitionError(f"{where}: a rule needs a 'replace', a 'message', or both")
    if not data["examples"]:
        raise RuleDefinitionError(f"{where}: at least one 'example' is required")
    try:
        modes = frozenset(Mode(m) for m in data.get("modes", [m.value for m in Mode]))
        targets = frozenset(Target(t) for t in data.get("targets", [t.value for t in Target]))
        severity = Severity(data["severity"]) if "severity" in data else None
    except ValueError as e:
        raise RuleDefinitionError(f"{where}: {e}") from None
    condition = _compile_condition(data["when"], where, names) if "when" in data else None
    diagnoses = bool(data.get("message"))
    # A rule limited to one mode shows its examples in that mode.
    example_mode = next(iter(modes)) if len(modes) == 1 else Mode.STREAMING
    examples = tuple(
        Example(before=before, after=after, read=read, diagnoses=diagnoses, mode=example_mode)
        for before, after in data["examples"]
    )
    attrs = {
        "id": data["id"],
        "name": data["name"],
        "title": data["title"],
        "rationale": data["rationale"],
        "node_types": (type(pattern),),
        "examples": examples,
        "modes": modes,
        "targets": targets,
        "tags": frozenset(data.get("tags", [])),
        "origin": f"{origin}:{data['line']}",
        "pack": pack,
        "pattern": pattern,
        "template": template,
        "identity": template is not None and template == pattern,
        "condition": staticmethod(condition) if condition else None,
        "severity": severity,
        "message": data.get("message"),
        "suggestion": data.get("suggestion"),
        "read": read,
        "__doc__": data["rationale"],
    }
    cls: type[DeclarativeRule] = type(f"Rule_{data['id']}", (DeclarativeRule,), attrs)
    cls.validate_definition()
    return cls


def load_rules_file(path: Path, pack: str) -> list[type[DeclarativeRule]]:
    """Parse one ``.rules`` file; errors name the file, line and column."""
    text = path.read_text(encoding="utf-8")
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedInput as e:
        context = e.get_context(text).rstrip()
        raise RuleDefinitionError(
            f"{path}:{e.line}:{e.column}: syntax error in rule file\n{context}"
        ) from None
    try:
        items = _Builder().transform(tree)
    except lark.exceptions.VisitError as e:
        if isinstance(e.orig_exc, RuleDefinitionError):
            raise RuleDefinitionError(f"{path}: {e.orig_exc}") from None
        raise
    return [_make_rule(data, str(path), pack) for data in items]
