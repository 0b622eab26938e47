"""SQL patterns with placeholders: parse, match against an AST, and instantiate templates.

``$name`` stands for one expression, ``$name*`` for the rest of an argument list.  Patterns are
parsed with the same sqlglot reader as the input, so they match the *normalized* tree (e.g.
Spark's ``datediff(a, b)`` and ``DATEDIFF(a,b)`` give the same ``exp.DateDiff``), not the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Union

import sqlglot
from sqlglot import exp

from shiftleft.rewrite.walk import bare_copy

PLACEHOLDER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(\*)?")
_PREFIX = "__sl_"
_REST = "__rest"

Binding = Union[exp.Expr, list[exp.Expr]]
Bindings = dict[str, Binding]


def encode_placeholders(text: str) -> str:
    """Turn ``$x`` / ``$x*`` into identifiers every sqlglot reader accepts."""
    return PLACEHOLDER.sub(lambda m: f"{_PREFIX}{m.group(1)}{_REST if m.group(2) else ''}", text)


def placeholder_name(node: Any) -> tuple[str, bool] | None:
    """(name, is_rest) when ``node`` is an encoded placeholder, else None."""
    if isinstance(node, exp.Column) and not node.table:
        ident = node.this
        if isinstance(ident, exp.Identifier) and ident.this.startswith(_PREFIX):
            raw = ident.this[len(_PREFIX) :]
            if raw.endswith(_REST):
                return raw[: -len(_REST)], True
            return raw, False
    return None


def placeholders_in(tree: exp.Expr) -> set[str]:
    names = set()
    for node in tree.walk():
        found = placeholder_name(node)
        if found:
            names.add(found[0])
    return names


def parse_pattern(text: str, dialect: str) -> exp.Expr:
    """Parse a pattern or template (may raise sqlglot errors; callers wrap them)."""
    return sqlglot.parse_one(encode_placeholders(text), read=dialect)


def parse_type_pattern(text: str, dialect: str) -> exp.DataType:
    return exp.DataType.build(text, dialect=dialect)


# Args whose string value is a name that SQL treats case-insensitively.
_CASE_INSENSITIVE = (exp.Anonymous, exp.Var)


def _empty(value: Any) -> bool:
    return value is None or value is False or value == [] or value == ""


def match(pattern: exp.Expr, node: exp.Expr, bindings: Bindings) -> bool:
    """True when ``node`` has the shape of ``pattern``; fills ``bindings`` as it goes."""
    found = placeholder_name(pattern)
    if found:
        name, _ = found
        if name in bindings:
            bound = bindings[name]
            return isinstance(bound, exp.Expr) and bound == node
        bindings[name] = node
        return True
    if type(pattern) is not type(node):
        return False
    if isinstance(pattern, exp.Identifier) and isinstance(node, exp.Identifier) and not (
        pattern.quoted or node.quoted
    ):
        if pattern.this.lower() != node.this.lower():
            return False
        return True
    keys = set(pattern.args) | set(node.args)
    for key in keys:
        p, n = pattern.args.get(key), node.args.get(key)
        if _empty(p) and _empty(n):
            continue
        if isinstance(p, exp.Expr):
            if not isinstance(n, exp.Expr) or not match(p, n, bindings):
                return False
        elif isinstance(p, list):
            if not isinstance(n, list) or not _match_list(p, n, bindings):
                return False
        elif isinstance(p, str) and isinstance(n, str) and isinstance(pattern, _CASE_INSENSITIVE):
            if p.lower() != n.lower():
                return False
        elif p != n:
            return False
    return True


def _match_list(patterns: list[Any], nodes: list[Any], bindings: Bindings) -> bool:
    rest = placeholder_name(patterns[-1]) if patterns else None
    if rest and rest[1]:
        fixed = patterns[:-1]
        if len(nodes) < len(fixed):
            return False
        bindings[rest[0]] = list(nodes[len(fixed) :])
        nodes = nodes[: len(fixed)]
        patterns = fixed
    if len(patterns) != len(nodes):
        return False
    for p, n in zip(patterns, nodes):
        if isinstance(p, exp.Expr):
            if not isinstance(n, exp.Expr) or not match(p, n, bindings):
                return False
        elif p != n:
            return False
    return True


def instantiate(template: exp.Expr, bindings: Mapping[str, Binding]) -> exp.Expr:
    """A fresh copy of ``template`` with every placeholder replaced by its binding.

    The matched node is replaced by the result, so a binding's subtree is moved into it the
    first time it is used (no copy) and copied only for further uses."""
    taken: set[str] = set()
    found = placeholder_name(template)
    if found:
        bound = bindings[found[0]]
        if isinstance(bound, list):
            raise ValueError(f"${found[0]}* can only stand in an argument list")
        return _take(found[0], bound, taken)
    new = bare_copy(template)  # (the template's positions are in the rule file, not the input)
    _fill(new, bindings, taken)
    return new


def _take(name: str, bound: exp.Expr, taken: set[str]) -> exp.Expr:
    """``bound`` itself on the first use of binding ``name``, a copy afterwards."""
    if name in taken:
        return bound.copy()
    taken.add(name)
    return bound


# Template nodes whose operands must be atoms, and bound expressions that are not atoms:
# `-$n` with n = `a + 1` must give `-(a + 1)`, not `-a + 1`.
_OPERATORS = (exp.Binary, exp.Not, exp.Neg, exp.Between, exp.In, exp.BitwiseNot)
_COMPOUND = (exp.Binary, exp.Not, exp.Neg, exp.Between, exp.In, exp.Alias)


def _bound_copy(name: str, bound: exp.Expr, parent: exp.Expr, taken: set[str]) -> exp.Expr:
    copy = _take(name, bound, taken)
    if isinstance(parent, _OPERATORS) and isinstance(copy, _COMPOUND):
        return exp.Paren(this=copy)
    return copy


def _fill(node: exp.Expr, bindings: Mapping[str, Binding], taken: set[str]) -> None:
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expr):
            found = placeholder_name(value)
            if found:
                bound = bindings[found[0]]
                if isinstance(bound, list):
                    raise ValueError(f"${found[0]}* can only stand in an argument list")
                node.set(key, _bound_copy(found[0], bound, node, taken))
            else:
                _fill(value, bindings, taken)
        elif isinstance(value, list):
            items: list[Any] = []
            for item in value:
                found = placeholder_name(item)
                if found:
                    bound = bindings[found[0]]
                    if isinstance(bound, list):
                        first = found[0] not in taken
                        taken.add(found[0])
                        items.extend(bound if first else [b.copy() for b in bound])
                    elif isinstance(node, exp.Distinct) and isinstance(bound, exp.Distinct):
                        # `DISTINCT $x` with $x bound to `DISTINCT x` (collect_set(DISTINCT x)): one DISTINCT
                        items.extend(_take(found[0], bound, taken).expressions)
                    else:
                        items.append(_take(found[0], bound, taken))
                else:
                    if isinstance(item, exp.Expr):
                        _fill(item, bindings, taken)
                    items.append(item)
            node.set(key, items)
