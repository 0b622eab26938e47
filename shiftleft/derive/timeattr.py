"""Infer a source table's event time when the script makes it unambiguous.

A table's column is its event time when it is the **only** column of that table the script
uses as time:

* bucketed by Spark's ``window(c, ...)`` / ``session_window(c, ...)`` (a timestamp by
  definition), or
* bucketed by ``date_trunc`` / ``FLOOR(c TO unit)`` in a GROUP BY, or the ORDER BY of a
  ``ROW_NUMBER`` / OVER window, when the schema types it as a timestamp.

Only tables the script reads without creating them (not CTEs) are considered, and only
when shiftleft writes their DDL (``sources=True``): the inferred column then gets the
``WATERMARK``.  A declared event time (``event_time=`` / ``--event-time``) always wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlglot import exp

_WINDOW_FUNCTIONS = {"window", "session_window"}
_TIMESTAMPS = {
    exp.DType.TIMESTAMP, exp.DType.TIMESTAMPNTZ, exp.DType.TIMESTAMPLTZ, exp.DType.TIMESTAMPTZ, exp.DType.DATETIME,
}


def _through_ctes(column: exp.Column, select: exp.Select, ctes: dict[str, exp.Expr]) -> tuple[exp.Column, exp.Select]:
    """Follow ``column`` into the CTEs that project it unchanged from their only table."""
    seen: set[int] = set()
    while id(select) not in seen:
        seen.add(id(select))
        source = select.args.get("from_")
        table = source.this if source is not None and not select.args.get("joins") else None
        body = ctes.get(table.name.lower()) if isinstance(table, exp.Table) and not table.db else None
        if not isinstance(body, exp.Select):
            break
        inner = next(
            (p.this if isinstance(p, exp.Alias) else p for p in body.expressions
             if p.alias_or_name.lower() == column.name.lower()),
            None,
        )
        if isinstance(inner, exp.Star):
            inner = exp.column(column.name)
        if not isinstance(inner, exp.Column):
            break
        column, select = inner, body
    return column, select


def _sources(select: exp.Select, own: set[str]) -> dict[str, str]:
    """alias -> table name of the plain tables ``select`` reads (FROM and joins)."""
    found: dict[str, str] = {}
    nodes = [select.args.get("from_"), *(select.args.get("joins") or [])]
    for node in nodes:
        table = node.this if node is not None else None
        if isinstance(table, exp.Table) and isinstance(table.this, exp.Identifier):
            if table.name.lower() not in own:
                found[table.alias_or_name.lower()] = table.name
    return found


def _table_of(column: exp.Column, select: exp.Select, own: set[str]) -> str | None:
    sources = _sources(select, own)
    if column.table:
        return sources.get(column.table.lower())
    plain = [select.args.get("from_"), *(select.args.get("joins") or [])]
    return next(iter(sources.values())) if len(sources) == 1 and len(plain) == 1 else None


def _time_uses(select: exp.Select) -> Iterable[tuple[exp.Expr, bool]]:
    """(column expression, certainly a timestamp) of each time use in ``select``."""
    group = select.args.get("group")
    for key in group.expressions if group is not None else []:
        if isinstance(key, exp.Anonymous) and str(key.name).lower() in _WINDOW_FUNCTIONS and key.expressions:
            yield key.expressions[0], True
        elif isinstance(key, (exp.TimestampTrunc, exp.Floor)):
            yield key.this, False
    for window in select.find_all(exp.Window):
        if window.parent_select is not select:
            continue
        order = window.args.get("order")
        items = list(order.expressions) if order is not None else []
        if len(items) == 1:
            yield (items[0].this if isinstance(items[0], exp.Ordered) else items[0]), False


def _is_timestamp(type_text: str | None, read: str) -> bool:
    if not type_text:
        return False
    try:
        return exp.DataType.build(type_text, dialect=read).this in _TIMESTAMPS
    except Exception:  # noqa: BLE001 - an unreadable type is not known to be a timestamp
        return False


def infer_event_time(
    trees: list[exp.Expr],
    schema: Mapping[str, Mapping[str, str]],
    declared: Mapping[str, str],
    read: str,
) -> dict[str, tuple[str, str]]:
    """``{table: (column, why)}`` for the tables whose event time the script makes
    unambiguous (tables in ``declared`` are skipped)."""
    ctes = {c.alias_or_name.lower(): c.this for tree in trees for c in tree.find_all(exp.CTE)}
    own = set(ctes)
    for tree in trees:
        if isinstance(tree, (exp.Create, exp.Insert)):
            target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            if isinstance(target, exp.Table):
                own.add(target.name.lower())
    skip = {t.lower() for t in declared}
    types = {t.lower(): {c.lower(): ty for c, ty in cols.items()} for t, cols in schema.items()}
    uses: dict[str, dict[str, tuple[str, bool]]] = {}
    for tree in trees:
        for select in tree.find_all(exp.Select):
            for node, certain in _time_uses(select):
                if not isinstance(node, exp.Column):
                    continue
                node, at = _through_ctes(node, select, ctes)
                table = _table_of(node, at, own)
                if table is None or table.lower() in skip:
                    continue
                by_column = uses.setdefault(table, {})
                name, sure = by_column.get(node.name.lower(), (node.name, False))
                by_column[node.name.lower()] = (name, sure or certain)
    found: dict[str, tuple[str, str]] = {}
    for table, by_column in uses.items():
        declared_types = types.get(table.lower())
        candidates = [
            (name, sure)
            for column, (name, sure) in by_column.items()
            if (declared_types is None and sure)
            or (declared_types is not None and _is_timestamp(declared_types.get(column), read))
        ]
        if len(candidates) == 1:
            name, sure = candidates[0]
            why = "bucketed by window() / session_window()" if sure else "the only timestamp column used as time"
            found[table] = (name, why)
    return found
