"""Generate Flink SQL text from a rewritten AST, collecting what the generator could not say."""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel

from shiftleft.models import Target
from shiftleft.parse import get_dialect


def generate(tree: exp.Expr, target: Target, *, pretty: bool = False) -> tuple[str, list[str]]:
    """Return (sql, unsupported messages) for one statement, deterministic for a given tree."""
    generator = get_dialect(target.value, role="target").generator(
        pretty=pretty, unsupported_level=ErrorLevel.IGNORE, comments=True
    )
    # The tree is ours (parsed for this call), so the generator may preprocess it in place.
    sql = generator.generate(tree, copy=False)
    # Messages repeat when a construct appears several times; keep the first of each.
    incomplete = _incomplete(tree, get_dialect(target.value, role="target"))
    return sql, list(dict.fromkeys([*incomplete, *generator.unsupported_messages]))


_MISSING = re.compile(r"Required keyword: '(\w+)' missing")
#: what a function's unit argument may be (DAY, 'day', a name; WEEK(MONDAY))
_UNIT_NAMES = (exp.Var, exp.Literal, exp.Identifier, exp.Column, exp.WeekStart)


def _as_flink_reads_it(node: exp.Anonymous, dialect: Dialect) -> exp.Expr | None:
    """``node`` (a call the reader did not know) as the Flink dialect would build it."""
    builder = dialect.parser_class.FUNCTIONS.get(str(node.this).upper())
    if builder is None:
        return None
    args = list(node.expressions)
    try:
        code = getattr(builder, "__code__", None)
        built = builder(args, dialect=dialect) if code and "dialect" in code.co_varnames else builder(args)
    except Exception:  # noqa: BLE001 - a builder that cannot take these arguments: cannot tell
        return None
    return built if isinstance(built, exp.Func) else None


def _incomplete(tree: exp.Expr, dialect: Dialect) -> list[str]:
    """Function calls that lack a required argument: ``date_format()`` read by a dialect that
    takes any call passes through as an anonymous call that Flink knows and cannot read (or
    a rule built a node short of one); the generator would print it as if complete."""
    found = []
    for node in tree.walk():
        if not isinstance(node, exp.Func):
            continue
        name, check = node.sql_name(), node  # type: tuple[str, exp.Expr | None]
        if isinstance(node, exp.Anonymous):
            name, check = str(node.this).upper(), _as_flink_reads_it(node, dialect)
        unit = node.args.get("unit")
        if isinstance(unit, exp.Expr) and not isinstance(unit, _UNIT_NAMES):
            # date_add(a IS NULL, b, c) reads a as the unit; the generator would drop it
            found.append(f"{name}(...): its unit ({unit.sql()[:40]}) is not a time unit name")
        for message in check.error_messages() if check is not None else ():
            missing = _MISSING.search(message)
            if missing:
                found.append(f"{name}(...) lacks its '{missing.group(1)}' argument (too few arguments)")
    return found
