"""Which function calls of a Flink AST are not Flink built-ins.

Used by the unmapped-function check (rule SL9001) and by the LLM fallback, which asks only
about the calls found here.
"""

from __future__ import annotations

import re
from functools import cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel
from sqlglot.generator import Generator
from sqlglot.tokens import TokenType

from shiftleft.dialects.flink_catalog import FLINK_FUNCTIONS

_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$]*)\s*\(")
# Leading words of constructs that look like calls but are syntax (CAST(...), ROW(...), ...).
_SYNTAX = frozenset(
    {
        "CAST", "TRY_CAST", "CASE", "EXTRACT", "POSITION", "TRIM", "OVERLAY", "SUBSTRING", "ROW",
        "ARRAY", "MAP", "MULTISET", "EXISTS", "NOT", "TABLE", "DESCRIPTOR", "INTERVAL", "FLOOR",
        "CEIL", "CEILING", "COUNT", "FILTER", "OVER", "IN", "VALUES", "LATERAL", "UNNEST",
    }
)


#: tokens that make a call's parentheses SQL syntax rather than a list of arguments
_SYNTAX_TOKENS = frozenset({TokenType.FROM, TokenType.ALIAS, TokenType.FOR, TokenType.DISTINCT,
                            TokenType.ORDER_BY, TokenType.SEPARATOR, TokenType.USING})  # fmt: skip


@cache
def _generator(target: str) -> Generator:
    return Dialect.get_or_raise(target).generator(unsupported_level=ErrorLevel.IGNORE)


@cache
def _fixed_name(generator_cls: type[Generator], func_cls: type[exp.Func]) -> str | None:
    """The name a Func class always generates as, when the generator has no special case."""
    if func_cls in generator_cls.TRANSFORMS or hasattr(generator_cls, f"{func_cls.key}_sql"):
        return None
    return func_cls.sql_name()


def _is_leaf(value: exp.Expr) -> bool:
    for v in value.args.values():  # a loop, not any() over a generator: called per argument of every call
        if isinstance(v, (exp.Expr, list)):
            return False
    return True


def _leaf_or_stub(value: exp.Expr) -> exp.Expr:
    """A copy of a leaf argument, or a plain column for a subtree (a copy: building the probe
    must not take the real tree's nodes as its children)."""
    return value.copy() if _is_leaf(value) else exp.column("_")


def _probe(node: exp.Func) -> exp.Func:
    """A cheap stand-in for ``node`` for finding its generated name: same class and leaf
    arguments (literals, units, types), but nested subtrees replaced by a plain column, so
    generating it costs O(1) instead of O(subtree)."""
    args: dict[str, object] = {}
    for key, value in node.args.items():
        if isinstance(value, exp.Expr):
            args[key] = _leaf_or_stub(value)
        elif isinstance(value, list):
            args[key] = [_leaf_or_stub(v) if isinstance(v, exp.Expr) else v for v in value]
        else:
            args[key] = value
    return type(node)(**args)


def flink_function_name(node: exp.Func, target: str, shape: tuple | None = None) -> str | None:
    """Upper-case name of the function the target generator writes for ``node``, if a call
    (``shape``: its :func:`call_shape` when known already)."""
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    generator = _generator(target)
    # classes hash; typeshed's Hashable protocol trips on their __hash__ signature
    name = _fixed_name(type(generator), type(node))  # type: ignore[arg-type]
    if name is not None:
        return name.upper()
    return _generated_call(target, generator, node, shape)[0]


def flink_call_arity(node: exp.Func, target: str, shape: tuple | None = None) -> int | None:
    """How many arguments the target generator writes in the call for ``node`` (None when the
    call is SQL syntax rather than ``NAME(a, b, ...)``, or unknown; ``shape``: its
    :func:`call_shape` when known already)."""
    if isinstance(node, exp.Anonymous):
        return len(node.expressions)
    generator = _generator(target)
    # classes hash; typeshed's Hashable protocol trips on their __hash__ signature
    if _fixed_name(type(generator), type(node)) is not None:  # type: ignore[arg-type]
        count = 0
        for key in type(node).arg_types:
            value = node.args.get(key)
            items = value if isinstance(value, list) else [value]
            count += sum(isinstance(v, exp.Expr) for v in items)  # flags are not written
        return count
    return _generated_call(target, generator, node, shape)[1]


def call_arity(sql: str) -> int | None:
    """Arguments of the call ``sql`` starts with (``F(a, g(b, c))`` → 2); None when its
    parentheses hold anything but comma-separated expressions at the top (``FROM``, ``AS``)."""
    try:
        tokens = Dialect.get_or_raise("flink").tokenize(sql)
    except Exception:  # noqa: BLE001 - not decided: not checked
        return None
    if len(tokens) < 3 or tokens[1].token_type is not TokenType.L_PAREN:
        return None
    depth, count = 0, 1
    for index, token in enumerate(tokens[1:], start=1):
        kind = token.token_type
        if kind in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif kind in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth == 0:
                return 0 if index == 2 else count
        elif depth == 1 and kind is TokenType.COMMA:
            count += 1
        elif depth == 1 and kind in _SYNTAX_TOKENS:
            return None
    return None


def call_shape(node: exp.Func) -> tuple:
    """The memo key of the generated forms of ``node``: its class and :func:`_shape` (the
    checks on one call find it once, :mod:`rules.checks._calls`)."""
    return (type(node), _shape(node))


def _shape(node: exp.Func) -> tuple:
    """What the generated name of ``node`` can depend on: its class's arguments, with the
    leaf ones (literals, units, types) by value and nested ones by kind."""
    parts: list[tuple[object, ...]] = []
    for key, value in node.args.items():
        if isinstance(value, exp.Expr):
            this = value.args.get("this")
            leaf = isinstance(this, str) and _is_leaf(value)
            parts.append((key, type(value).__name__, this if leaf else None))
        elif isinstance(value, list):
            parts.append((key, len(value)))
        elif value is not None:
            parts.append((key, value if isinstance(value, (str, bool, int)) else type(value).__name__))
    return tuple(parts)


@cache
def _calls_by_shape(target: str) -> dict[tuple, tuple[str | None, int | None]]:
    """Memo of generated (call name, argument count) per (class, shape), one per target
    (bounded: cleared past 4,096 shapes)."""
    return {}


def _generated_call(
    target: str, generator: Generator, node: exp.Func, shape: tuple | None = None
) -> tuple[str | None, int | None]:
    """(name, argument count) of the call the generator writes for ``node``: one generation
    of its probe per shape serves both (the count is None unless the probe generated)."""
    calls = _calls_by_shape(target)
    shape = shape or call_shape(node)
    found = calls.get(shape)  # one lookup: a tuple's hash is not kept, each lookup walks the shape
    if found is None:
        if len(calls) > 4096:
            calls.clear()
        found = calls[shape] = _generate_call(generator, node)
    return found


def _generate_call(generator: Generator, node: exp.Func) -> tuple[str | None, int | None]:
    try:
        sql = generator.generate(_probe(node), copy=False)
        arity = call_arity(sql)
    except Exception:  # noqa: BLE001 - some generators need the real arguments
        arity = None
        try:
            sql = generator.generate(node, copy=True)
        except Exception:  # noqa: BLE001 - the generate stage reports real failures
            return None, None
    found = _CALL.match(sql)
    return (found.group(1).upper() if found else None), arity


def unmapped_function_name(node: exp.Func, target: str) -> str | None:
    """The generated name of ``node`` when it is a call Flink does not have, else None."""
    name = flink_function_name(node, target)
    if name is None or name in FLINK_FUNCTIONS or name in _SYNTAX:
        return None
    return name


_MARKER = "__sl_arg_"
#: a marker in generated text, as a whole word (any case: a generator may upper-case it)
_MARKER_WORD = re.compile(rf"\b{_MARKER}\d+\b", re.IGNORECASE)
_KEYWORDS = (exp.Var, exp.DataType, exp.IntervalSpan, exp.Identifier, exp.TableAlias)


def _marked(node: exp.Func) -> tuple[exp.Func, dict[str, str]]:
    """A copy of ``node`` whose every argument is a distinct marker column, and the argument
    key each marker stands for."""
    args: dict[str, object] = {}
    keys: dict[str, str] = {}
    for key, value in node.args.items():
        if isinstance(value, _KEYWORDS):
            args[key] = value.copy()  # a unit, type or name: the generator may spell it its own way
        elif isinstance(value, exp.Expr):
            keys[f"{_MARKER}{len(keys)}"] = key
            args[key] = exp.column(f"{_MARKER}{len(keys) - 1}")
        elif isinstance(value, list) and any(isinstance(v, exp.Expr) for v in value):
            items: list[object] = []
            for item in value:
                if isinstance(item, exp.Expr):
                    keys[f"{_MARKER}{len(keys)}"] = key
                    item = exp.column(f"{_MARKER}{len(keys) - 1}")
                items.append(item)
            args[key] = items
        else:
            args[key] = value
    return type(node)(**args), keys


@cache
def _dropped_by_shape(target: str) -> dict[tuple, tuple[str, ...]]:
    """Memo of :func:`generator_dropped_args` per (class, shape), one per target (bounded)."""
    return {}


def generator_dropped_args(node: exp.Func, target: str, shape: tuple | None = None) -> tuple[str, ...]:
    """The argument keys of ``node`` that the target generator does not write at all (each
    argument replaced by a marker column, the markers missing from the generated text).
    Empty when the generator needs the real arguments to run (not decided: not reported).
    ``shape``: its :func:`call_shape` when known already."""
    if isinstance(node, exp.Anonymous):
        return ()
    memo = _dropped_by_shape(target)
    shape = shape or call_shape(node)
    found = memo.get(shape)
    if found is not None:
        return found
    if len(memo) > 4096:
        memo.clear()
    probe, keys = _marked(node)
    try:
        sql = _generator(target).generate(probe, copy=False)
    except Exception:  # noqa: BLE001 - some generators need the real arguments
        sql = None
    if sql is None:
        found = memo[shape] = ()
        return found
    # the markers written, found in one pass (a search per marker was quadratic in a call's
    # arguments: a CASE of 4,000 branches has 8,000, and each pattern was compiled anew)
    written = {m.lower() for m in _MARKER_WORD.findall(sql)}
    found = memo[shape] = tuple(dict.fromkeys(key for marker, key in keys.items() if marker not in written))
    return found
