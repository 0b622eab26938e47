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


#: functions whose value is an array whatever they read (Spark's and Flink's names alike)
_ARRAY_VALUED = (
    exp.Array, exp.ArrayAgg, exp.ArrayUniqueAgg, exp.RegexpSplit, exp.Split, exp.ArrayRemove, exp.ArrayDistinct,
    exp.ArraySort, exp.ArrayCompact, exp.ArrayFilter, exp.Transform, exp.Flatten, exp.ArraySlice, exp.ArrayExcept,
    exp.ArrayIntersect, exp.ArrayConcat, exp.MapKeys,
)  # fmt: skip

#: the same as calls by name (a rule's ``SPLIT``, Spark's ``array_union``): Flink's array functions
_ARRAY_NAMES = frozenset({"SPLIT", "ARRAY_CONCAT", "ARRAY_DISTINCT", "ARRAY_REMOVE", "ARRAY_SORT", "ARRAY_SLICE",
                          "ARRAY_UNION", "ARRAY_EXCEPT", "ARRAY_INTERSECT", "ARRAY_AGG", "ARRAY_REVERSE",
                          "MAP_KEYS", "MAP_VALUES"})


def array_valued(node: exp.Expr, ctx: RuleContext) -> bool:
    """An array: declared one (a CAST, the schema) or the value of an array function
    (``collect_set(x)``, ``split(s, ',')``, ``array(...)``...)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Case):  # a rule's guard around an array function (split of '')
        branches = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
        return all(b is not None and array_valued(b, ctx) for b in branches)
    if isinstance(node, exp.Coalesce):
        return array_valued(node.this, ctx)
    if isinstance(node, exp.Anonymous):
        return node.name.upper() in _ARRAY_NAMES
    return isinstance(node, _ARRAY_VALUED) or bool(ctx.declared_as(node, frozenset({exp.DType.ARRAY})))


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
    "array_typed": array_valued,
    "map_typed": _declared(frozenset({exp.DType.MAP})),
}
