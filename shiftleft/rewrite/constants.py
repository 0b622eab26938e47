"""Constant relations: views and CTEs whose rows are written in the SQL (``VALUES``, a
``SELECT`` with no ``FROM``), reading no table.

The script's earlier ``CREATE VIEW v AS SELECT * FROM VALUES ... AS v(a, b)`` statements are
collected by the pipeline (:func:`constant_view`) and handed to the rules as
``RuleContext.constant_relations`` (name -> its column names, lower case; empty when unknown).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from shiftleft.tree import find_all

Constants = Mapping[str, tuple[str, ...]]


def _alias_columns(node: exp.Expr) -> tuple[str, ...]:
    alias = node.args.get("alias")
    if isinstance(alias, exp.TableAlias):
        return tuple(c.name.lower() for c in alias.columns)
    return ()


def _cte_names(query: exp.Expr) -> set[str]:
    return {c.alias_or_name.lower() for c in find_all(query, exp.CTE)}


def reads_no_table(query: exp.Expr, constants: Constants) -> bool:
    """True when ``query`` reads no table: only VALUES, constant relations, its own CTEs."""
    local = _cte_names(query)
    return all(t.name.lower() in constants or t.name.lower() in local for t in find_all(query, exp.Table))


def query_columns(query: exp.Expr, constants: Constants) -> tuple[str, ...]:
    """The output column names of a constant query (lower case), or () when not known."""
    if isinstance(query, (exp.Subquery, exp.CTE)):
        return _alias_columns(query) or query_columns(query.this, constants)
    if isinstance(query, exp.Values):
        return _alias_columns(query)
    if isinstance(query, exp.SetOperation):
        return query_columns(query.this, constants)
    if not isinstance(query, exp.Select):
        return ()
    names: list[str] = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and projection.is_star):
            source = query.args.get("from_")
            sources = [source.this] if isinstance(source, exp.From) else []
            sources += [j.this for j in query.args.get("joins") or []]
            for inner in sources:
                if isinstance(inner, exp.Table):
                    found = constants.get(inner.name.lower(), ())
                else:
                    found = query_columns(inner, constants)
                if not found:
                    return ()
                names.extend(found)
            if not sources:
                return ()
        elif projection.alias_or_name:
            names.append(projection.alias_or_name.lower())
        else:
            return ()
    return tuple(names)


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
    return target.name.lower(), listed or query_columns(query, constants)
