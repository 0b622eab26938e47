"""Named conditions usable in a declarative rule's ``when:`` clause (``$x is NAME``).

Each takes the bound expression and the rule context.  Keep them cheap and total: they must
return a bool for any node, never raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

from shiftleft.rewrite.context import (
    DATE_TYPES,
    INTEGER_TYPES,
    TEXT_TYPES,
    TIMESTAMP_TYPES,
    RuleContext,
)

Predicate = Callable[[exp.Expr, RuleContext], bool]

# Characters that make a Java regex differ from the same text taken literally.
REGEX_META = re.compile(r"[\\^$.|?*+()\[\]{}]")


def _literal(node: exp.Expr, _: RuleContext) -> bool:
    return isinstance(node, exp.Literal) or (isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal))


def _string(node: exp.Expr, _: RuleContext) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _number(node: exp.Expr, _: RuleContext) -> bool:
    target = node.this if isinstance(node, exp.Neg) else node
    return isinstance(target, exp.Literal) and not target.is_string


def _integer(node: exp.Expr, ctx: RuleContext) -> bool:
    target = node.this if isinstance(node, exp.Neg) else node
    return _number(target, ctx) and re.fullmatch(r"\d+", target.name) is not None


def _null(node: exp.Expr, _: RuleContext) -> bool:
    return isinstance(node, exp.Null)


def _column(node: exp.Expr, _: RuleContext) -> bool:
    return isinstance(node, exp.Column)


def _plain_pattern(node: exp.Expr, _: RuleContext) -> bool:
    """A string literal whose regex meaning equals its literal meaning (no metacharacters)."""
    return isinstance(node, exp.Literal) and node.is_string and not REGEX_META.search(node.this)


def _quantified(node: exp.Expr, _: RuleContext) -> bool:
    """``ANY (...)`` / ``ALL (...)``: a quantified comparison's right side (SL3024 expands it)."""
    return isinstance(node, (exp.Any, exp.All))


def _declared(kinds: frozenset[exp.DType]) -> Predicate:
    return lambda node, ctx: ctx.declared_as(node, kinds)


PREDICATES: dict[str, Predicate] = {
    "literal": _literal,
    "string": _string,
    "number": _number,
    "integer": _integer,
    "null": _null,
    "column": _column,
    "plain_pattern": _plain_pattern,
    "quantified": _quantified,
    "date_typed": _declared(DATE_TYPES),
    "timestamp_typed": _declared(TIMESTAMP_TYPES),
    "integer_typed": _declared(INTEGER_TYPES),
    "string_typed": _declared(TEXT_TYPES),
    "array_typed": _declared(frozenset({exp.DType.ARRAY})),
    "map_typed": _declared(frozenset({exp.DType.MAP})),
}
