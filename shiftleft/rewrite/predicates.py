"""Named conditions usable in a declarative rule's ``when:`` clause (``$x is NAME``).

Each takes the bound expression and the rule context.  Keep them cheap and total: they must
return a bool for any node, never raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

from shiftleft.rewrite.context import RuleContext

Predicate = Callable[[exp.Expr, RuleContext], bool]

# Characters that make a Java regex differ from the same text taken literally.
REGEX_META = re.compile(r"[\\^$.|?*+()\[\]{}]")


def _literal(node: exp.Expr, _: RuleContext) -> bool:
    return isinstance(node, exp.Literal) or isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal)


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


def _declared(kinds: set[exp.DType]) -> Predicate:
    def check(node: exp.Expr, ctx: RuleContext) -> bool:
        declared = ctx.declared_type(node)
        return declared is not None and declared.this in kinds

    return check


_DATE = {exp.DType.DATE, exp.DType.DATE32}
_TIMESTAMP = {
    exp.DType.TIMESTAMP,
    exp.DType.TIMESTAMPNTZ,
    exp.DType.TIMESTAMPLTZ,
    exp.DType.TIMESTAMPTZ,
    exp.DType.DATETIME,
}

PREDICATES: dict[str, Predicate] = {
    "literal": _literal,
    "string": _string,
    "number": _number,
    "integer": _integer,
    "null": _null,
    "column": _column,
    "plain_pattern": _plain_pattern,
    "date_typed": _declared(_DATE),
    "timestamp_typed": _declared(_TIMESTAMP),
    "integer_typed": _declared(set(exp.DataType.INTEGER_TYPES)),
    "string_typed": _declared(set(exp.DataType.TEXT_TYPES)),
    "array_typed": _declared({exp.DType.ARRAY}),
    "map_typed": _declared({exp.DType.MAP}),
}
