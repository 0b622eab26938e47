"""Generate Flink SQL text from a rewritten AST, collecting what the generator could not say."""

from __future__ import annotations

import re

from sqlglot import exp
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
    incomplete = _incomplete(_relink(tree))
    if "None" in sql and _printed_none(tree, sql):
        incomplete.append("a construct was printed as 'None' (a generator gap: please report it)")
    return sql, list(dict.fromkeys([*incomplete, *generator.unsupported_messages]))


def _relink(tree: exp.Expr) -> list[exp.Func]:
    """Give every node of ``tree`` its holder as parent again; return the function nodes but
    anonymous calls, breadth-first (the order of ``tree.walk()``), found in the same walk.

    The tree is read after generation (the changelog derivation, the sources' DDL), but some
    of sqlglot's generation paths build a node around the tree's own children and leave them
    pointing at it (NVL2, SPACE, CONVERT_TIMEZONE, DATE_FROM_UNIX_DATE...): ``space(x)`` lost
    ``x`` from its SELECT, and ``sources=True`` declared the table without it.  One walk
    puts every link back, whatever path moved it."""
    queue = [tree]
    found: list[exp.Func] = []
    push, add, expr, func, anonymous = queue.append, found.append, exp.Expr, exp.Func, exp.Anonymous
    for node in queue:  # grows while it is read: breadth-first
        if isinstance(node, func) and not isinstance(node, anonymous):
            add(node)
        for key, value in node.args.items():
            if type(value) is list:
                for i, item in enumerate(value):
                    if isinstance(item, expr):
                        if item.parent is not node:
                            item.parent, item.arg_key, item.index = node, key, i
                        push(item)
            elif isinstance(value, expr):
                if value.parent is not node:
                    value.parent, value.arg_key, value.index = node, key, None
                push(value)
    return found


_NONE_WORD = re.compile(r"(?<![\w`'\"])None(?![\w`'\"])")


def _printed_none(tree: exp.Expr, sql: str) -> bool:
    """Whether the generator printed Python's ``None`` for a missing piece (a template given
    no value: ``SELECT * None (b)``); a name or string that is ``None`` in the tree is not."""
    if not _NONE_WORD.search(sql):
        return False
    spelled = sum(
        1 for n in tree.walk() if isinstance(n, (exp.Identifier, exp.Literal, exp.Var)) and "None" in str(n.this)
    )
    return len(_NONE_WORD.findall(sql)) > spelled


_MISSING = re.compile(r"Required keyword: '(\w+)' missing")
#: what a function's unit argument may be (DAY, 'day', a name; WEEK(MONDAY))
_UNIT_NAMES = (exp.Var, exp.Literal, exp.Identifier, exp.Column, exp.WeekStart)


def _incomplete(functions: list[exp.Func]) -> list[str]:
    """Function nodes (of :func:`_relink`) short of a required argument (a rule or a reader
    built one) and units that are not names (``date_add(a IS NULL, b, c)``): the generator
    would print the first as if complete and drop the second.  (A call Flink knows with the
    wrong number of arguments is SL9004's, from the planner's own counts.)"""
    found = []
    for node in functions:
        unit = node.args.get("unit")
        if isinstance(unit, exp.Expr) and not isinstance(unit, _UNIT_NAMES):
            found.append(f"{node.sql_name()}(...): its unit ({unit.sql()[:40]}) is not a time unit name")
        for message in node.error_messages():
            missing = _MISSING.search(message)
            if missing:
                found.append(f"{node.sql_name()}(...) lacks its '{missing.group(1)}' argument (too few arguments)")
    return found
