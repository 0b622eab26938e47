"""Checks that run after every rewrite rule: report what is left untranslated.

Nothing the user wrote may pass through silently: a function that Flink does not have, or a
statement the reader could only keep as raw text, becomes an error diagnostic here.
"""

from __future__ import annotations

import re
from functools import cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel
from sqlglot.generator import Generator

from shiftleft.dialects.flink_catalog import FLINK_FUNCTIONS
from shiftleft.models import Severity
from shiftleft.rewrite import Example, Rule, RuleContext

_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_$]*)\s*\(")
# Leading words of constructs that look like calls but are syntax (CAST(...), ROW(...), ...).
_SYNTAX = frozenset(
    {
        "CAST", "TRY_CAST", "CASE", "EXTRACT", "POSITION", "TRIM", "OVERLAY", "SUBSTRING", "ROW",
        "ARRAY", "MAP", "MULTISET", "EXISTS", "NOT", "TABLE", "DESCRIPTOR", "INTERVAL", "FLOOR",
        "CEIL", "CEILING", "COUNT", "FILTER", "OVER", "IN", "VALUES", "LATERAL", "UNNEST",
    }
)


@cache
def _generator(target: str) -> Generator:
    return Dialect.get_or_raise(target).generator(unsupported_level=ErrorLevel.IGNORE)


@cache
def _fixed_name(generator_cls: type, func_cls: type[exp.Func]) -> str | None:
    """The name a Func class always generates as, when the generator has no special case."""
    if func_cls in generator_cls.TRANSFORMS or hasattr(generator_cls, f"{func_cls.key}_sql"):
        return None
    return func_cls.sql_name()


def _is_leaf(value: exp.Expr) -> bool:
    return not any(isinstance(v, (exp.Expr, list)) for v in value.args.values())


def _probe(node: exp.Func) -> exp.Func:
    """A cheap stand-in for ``node`` for finding its generated name: same class and leaf
    arguments (literals, units, types), but nested subtrees replaced by a plain column, so
    generating it costs O(1) instead of O(subtree)."""
    args: dict[str, object] = {}
    for key, value in node.args.items():
        if isinstance(value, exp.Expr):
            args[key] = value if _is_leaf(value) else exp.column("_")
        elif isinstance(value, list):
            args[key] = [v if not isinstance(v, exp.Expr) or _is_leaf(v) else exp.column("_") for v in value]
        else:
            args[key] = value
    return type(node)(**args)


def flink_function_name(node: exp.Func, target: str) -> str | None:
    """Upper-case name of the function the target generator writes for ``node``, if a call."""
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    generator = _generator(target)
    name = _fixed_name(type(generator), type(node))
    if name is None:
        try:
            sql = generator.generate(_probe(node), copy=False)
        except Exception:  # noqa: BLE001 - some generators need the real arguments
            try:
                sql = generator.generate(node, copy=True)
            except Exception:  # noqa: BLE001 - the generate stage reports real failures
                return None
        found = _CALL.match(sql)
        name = found.group(1) if found else None
    return name.upper() if name else None


class UnmappedFunction(Rule):
    """After all rewrites, every function call in the output must be a Flink built-in.

    A Spark function that no rule translated would otherwise be passed through and fail in
    Flink at deployment time (or, worse, resolve to a same-named function with other
    semantics).  The check names the function; register a rule for it, register a Flink UDF
    of that name, or rewrite the expression by hand.
    """

    id = "SL9001"
    name = "unmapped-function"
    title = "Function with no Flink equivalent after all rules ran"
    phase = "check"
    node_types = (exp.Func,)
    examples = (
        Example(before="SELECT levenshtein(a, b) FROM t", after="SELECT LEVENSHTEIN(a, b) FROM t", diagnoses=True),
        Example(before="SELECT my_udf(a) FROM t", after="SELECT MY_UDF(a) FROM t", diagnoses=True),
        Example(before="SELECT COALESCE(a, b) FROM t", after="SELECT COALESCE(a, b) FROM t"),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        assert isinstance(node, exp.Func)
        name = flink_function_name(node, ctx.target.value)
        if name is None or name in FLINK_FUNCTIONS or name in _SYNTAX:
            return None
        kind = "user-defined function" if isinstance(node, exp.Anonymous) else "function"
        ctx.report(
            node,
            f"{kind} {name} is not a Flink built-in and no rule translates it",
            severity=Severity.ERROR,
            suggestion=f"add a rewrite rule for {name}, create a Flink UDF named {name}, or rewrite it by hand",
        )
        return None


class UnparsedStatement(Rule):
    """The reader could not understand the statement and kept it as raw text (a sqlglot
    ``Command``).  It is copied to the output unchanged, which is rarely valid Flink SQL."""

    id = "SL9003"
    name = "unparsed-statement"
    title = "Statement kept as raw text because the reader does not understand it"
    phase = "check"
    node_types = (exp.Command,)
    examples = (
        Example(before="MSCK REPAIR TABLE t", after="MSCK REPAIR TABLE t", diagnoses=True),
    )

    def apply(self, node: exp.Expr, ctx: RuleContext) -> exp.Expr | None:
        ctx.report(
            node,
            f"statement '{node.name}' is not understood by the {ctx.read} reader and was copied "
            "unchanged",
            severity=Severity.ERROR,
            suggestion="remove it if it has no Flink counterpart, or translate it by hand",
        )
        return None
