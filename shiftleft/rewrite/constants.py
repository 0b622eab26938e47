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


#: types that say nothing about a column (an all-NULL column, one sqlglot cannot type)
_UNTYPED = (exp.DType.UNKNOWN, exp.DType.NULL)


def constant_view_types(
    tree: exp.Expr | None, read: str, constants: Constants, schema: Mapping[str, Mapping[str, str]]
) -> tuple[str, dict[str, str]] | None:
    """(name as written, column → type in ``read`` spelling) of a ``CREATE VIEW`` whose query
    reads no table (:func:`constant_view`), typed as the reader types its rows (``date
    '2001-01-01'`` a DATE, ``'1'`` a STRING), so that the later statements' rules know them as
    the columns of a table: a DATE column compared with a TIMESTAMP, a STRING day count of
    ``date_add``.  None when a column's type is not known (all NULL, or not inferable);
    ``schema``: the types of the constant views before it."""
    from sqlglot.optimizer.annotate_types import annotate_types  # (heavy: only for a script with views)
    from sqlglot.optimizer.qualify import qualify

    if not isinstance(tree, exp.Create):
        return None
    found = constant_view(tree, constants)
    query = tree.expression
    if found is None or not isinstance(query, exp.Query):
        return None
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    known: dict[str, object] = {t: dict(c) for t, c in schema.items() if t.lower() in constants}
    try:
        typed = annotate_types(
            qualify(query.copy(), schema=known, dialect=read, validate_qualify_columns=False, quote_identifiers=False),
            schema=known,
            dialect=read,
        )
    except Exception:  # noqa: BLE001 - a view sqlglot cannot type stays untyped
        return None
    selects = typed.selects
    names = found[1] if len(found[1]) == len(selects) else tuple(s.alias_or_name for s in selects)
    columns: dict[str, str] = {}
    for name, select in zip(names, selects):
        kind = select.type
        if not name or kind is None or kind.this in _UNTYPED or kind.find(exp.DataType) is None:
            return None
        if any(t.this in _UNTYPED for t in kind.find_all(exp.DataType)):
            return None
        columns[name] = kind.sql(read)
    return (target.name, columns) if columns else None
