"""Constant relations: views and CTEs whose rows are written in the SQL (``VALUES``, a
``SELECT`` with no ``FROM``), reading no table.

The script's earlier ``CREATE VIEW v AS SELECT * FROM VALUES ... AS v(a, b)`` statements are
collected by the pipeline (:func:`constant_view`) and handed to the rules as
``RuleContext.constant_relations`` (name -> its column names, lower case; empty when unknown).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from shiftleft.tree import find_all, query_columns

Constants = Mapping[str, tuple[str, ...]]


def _cte_names(query: exp.Expr) -> set[str]:
    return {c.alias_or_name.lower() for c in find_all(query, exp.CTE)}


def reads_no_table(query: exp.Expr, constants: Constants) -> bool:
    """True when ``query`` reads no table: only VALUES, constant relations, its own CTEs."""
    local = _cte_names(query)
    return all(t.name.lower() in constants or t.name.lower() in local for t in find_all(query, exp.Table))


def known_columns(query: exp.Expr, constants: Constants) -> tuple[str, ...]:
    """The output column names (lower case) of a query, CTE, derived table or VALUES whose
    ``*`` reads only relations of ``constants`` (:func:`shiftleft.tree.query_columns`), or ()
    when not known."""
    return tuple(query_columns(query, lambda table: constants.get(table.name.lower())) or ())


def constant_view(tree: exp.Expr, constants: Constants) -> tuple[str, tuple[str, ...]] | None:
    """(name, columns) of a ``CREATE VIEW`` whose query reads no table, else None."""
    if not isinstance(tree, exp.Create) or (tree.kind or "").upper() != "VIEW":
        return None
    query = tree.expression
    target = tree.this
    if query is None or not reads_no_table(query, constants):
        return None
    listed: tuple[str, ...] = ()
    if isinstance(target, exp.Schema):
        listed = tuple(c.name.lower() for c in target.expressions if isinstance(c, (exp.Identifier, exp.ColumnDef)))
        target = target.this
    if not isinstance(target, exp.Table):
        return None
    return target.name.lower(), listed or known_columns(query, constants)
