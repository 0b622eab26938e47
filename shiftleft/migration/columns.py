"""Columns of a table the project does not declare: what its readers demand of it, and the
types their use implies.

A source table without declared columns gets the columns its readers use, found scope by
scope (:mod:`sqlglot.optimizer.scope`): a column qualified by the table's alias, or
unqualified in a scope whose only source is the table, or demanded of a CTE / subquery that
passes the table through with ``*`` (``with source as (select * from t) select id from
source``).  Their types come from their use, as ``transpile(sources=True)`` types the source
tables it declares (:mod:`shiftleft.streaming.use_types`): compared with a date / timestamp →
that; summed, averaged, in arithmetic or COALESCEd with a number → numeric; compared with a
column of a typed table → that column's type.  What stays unknown, or a string, is ``None``
(the caller falls back to STRING and says so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from shiftleft.migration.walked import Walked
from shiftleft.streaming.typed_query import TypedQuery
from shiftleft.streaming.use_types import STRING, Use, decide, generated_names, use_of, use_type
from shiftleft.tree import cte_named


def _star_in(scope: Scope) -> list[str | None]:
    """The tables (alias, or None for all) whose ``*`` the scope's SELECT passes through."""
    select = scope.expression
    if not isinstance(select, exp.Select):
        return []
    found: list[str | None] = []
    for projection in select.expressions:
        if isinstance(projection, exp.Star):
            found.append(None)
        elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
            found.append(projection.table or None)
    return found


def _passed(scope: Scope, name: str) -> exp.Column | None:
    """The column that output ``name`` of ``scope`` passes through unchanged, if it does."""
    select = scope.expression
    for projection in select.expressions if isinstance(select, exp.Select) else []:
        if projection.alias_or_name.lower() == name.lower():
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            if isinstance(inner, exp.Column) and not isinstance(inner.this, exp.Star):
                return inner
            return None
    return None


def _computed_aliases(scope: Scope) -> dict[str, exp.Alias]:
    """The scope's select-list aliases that name a computed value (``s::date AS d``, not a bare
    column's new name), by lower-case name."""
    select = scope.expression
    if not isinstance(select, exp.Select):
        return {}
    return {
        p.alias.lower(): p
        for p in select.expressions
        if isinstance(p, exp.Alias) and p.alias and not isinstance(p.this, exp.Column)
    }


def _names(scope: Scope) -> set[str]:
    select = scope.expression
    if not isinstance(select, exp.Select):
        return set()
    return {p.alias_or_name.lower() for p in select.expressions if p.alias_or_name}


class _Demand:
    def __init__(self, table: str, known: Mapping[str, Mapping[str, str]]) -> None:
        self.table = table.lower()
        self.known = {k.lower(): {c.lower(): t for c, t in v.items()} for k, v in known.items()}
        self.found: dict[str, list[Use | None]] = {}
        self.spelling: dict[str, str] = {}

    def need(self, scope: Scope, name: str, source_alias: str | None, kind: Use | None) -> None:
        """Column ``name`` is read from ``source_alias`` (None: the only source) of ``scope``."""
        sources = {alias: source for alias, (_node, source) in scope.selected_sources.items()}
        if source_alias is None:
            if len(sources) == 1:
                source_alias = next(iter(sources))
            elif any(self._has(s, name) is True for s in sources.values()):
                return  # another source has it
            else:
                open_ = [a for a, s in sources.items() if self._has(s, name) is None]
                if len(open_) != 1:
                    return
                source_alias = open_[0]
        source = sources.get(source_alias)
        if isinstance(source, exp.Table):
            if source.name.lower() == self.table:
                key = name.lower()
                self.spelling.setdefault(key, name)
                self.found.setdefault(key, []).append(kind)
        elif isinstance(source, Scope):
            if name.lower() in _names(source):
                if kind is not None:  # a typed use flows through `x` / `t.x AS y`
                    inner = _passed(source, name)
                    if inner is not None:
                        self.need(source, inner.name, inner.table or None, kind)
                return
            for star in _star_in(source):
                self.need(source, name, star, kind)

    def _has(self, source: object, name: str) -> bool | None:
        """Whether ``source`` has column ``name`` (None: its columns are not known)."""
        if isinstance(source, exp.Table):
            columns = self.known.get(source.name.lower())
            return None if columns is None else name.lower() in columns
        if isinstance(source, Scope):
            if name.lower() in _names(source):
                return True
            return None if _star_in(source) else False
        return None

    def visit(self, scope: Scope) -> None:
        aliases = {
            alias: self.known.get(s.name.lower(), {})
            for alias, (_node, s) in scope.selected_sources.items()
            if isinstance(s, exp.Table)
        }
        outputs = _names(scope)
        computed = _computed_aliases(scope)
        select = scope.expression
        generated = generated_names(select) if isinstance(select, exp.Select) else set()  # UNNEST's elements
        for column in scope.columns:
            if isinstance(column.this, exp.Star) or (not column.table and column.name.lower() in generated):
                continue
            if not column.table and column.name.lower() in outputs and column.find_ancestor(
                exp.Order, exp.Group, exp.Having
            ):
                continue  # a select alias used in ORDER BY / GROUP BY
            defined = computed.get(column.name.lower()) if not column.table else None
            if defined is not None and not _within(column, defined):
                continue  # a computed select alias the SELECT's other items or WHERE reuse (Snowflake, Spark 3.4)
            self.need(scope, column.name, column.table or None, use_type(column, aliases))


def _within(node: exp.Expr, ancestor: exp.Expr) -> bool:
    parent = node.parent
    while parent is not None and parent is not ancestor:
        parent = parent.parent
    return parent is ancestor


def root_scope(tree: exp.Expr | Scope | None) -> Scope | None:
    """The root scope of a query (built once by the caller who keeps it), None if sqlglot
    cannot scope it."""
    if tree is None or isinstance(tree, Scope):
        return tree
    try:
        return build_scope(tree)
    except Exception:  # noqa: BLE001 - cannot tell
        return None


def demanded_columns(
    table: str,
    trees: list[exp.Expr] | list[Scope],
    known: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[str, str | None]]:
    """(name, type implied by use or None) of the columns ``trees`` (queries, or their root
    scopes) read from ``table``; ``known`` gives the columns (name → type) of other tables, to
    attribute unqualified columns and to type join keys."""
    demand = _Demand(table, known or {})
    for tree in trees:
        root = root_scope(tree)
        if root is None:
            continue
        for scope in root.traverse():
            demand.visit(scope)
    found = []
    for key, uses in demand.found.items():
        kind = decide(uses)[0]
        # a string is what an untyped column is declared anyway (and said so, "for want of a
        # better guess"); a conflict is the reading model's type clash, reported with it
        found.append((demand.spelling[key], None if kind == STRING else kind))
    return found


_TEXT = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR}
_ARITHMETIC = (exp.Sum, exp.Avg, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Round, exp.Abs)
_NUMBERS_AND_BOOLEANS = {*exp.DataType.NUMERIC_TYPES, exp.DataType.Type.BOOLEAN}

Missing = tuple[str, int | None, int | None]


#: the node kinds :func:`column_checks` reads of the query, and of its typed copy
QUERY_KINDS = ((exp.CTE,), (exp.Table,), (exp.Column,), (exp.Coalesce,))
TYPED_KINDS = ((exp.Column,),)


def column_checks(
    tree: exp.Expr,
    schema: Mapping[str, Mapping[str, str]],
    typed: TypedQuery | None = None,
    typed_walk: Walked | None = None,
) -> tuple[Missing | None, list[tuple[str, str]]]:
    """What the Flink query ``tree`` gets wrong about its tables' columns (``schema``: table
    → column → Flink type), provable without a planner:

    * (message, line, column) of a column none of its tables has (None when all resolve, or
      when a table it reads has no known columns: nothing can be proved then);
    * (column, operation) of the columns typed STRING (declared so, or not known and declared
      STRING) it sums, averages or computes with: Flink rejects each ("Cannot apply 'SUM' to
      arguments of type 'SUM(<VARCHAR>)'").

    ``typed``: ``tree`` already qualified and typed (with validation) for its output columns;
    used when it was typed over the same ``schema`` and tree (no window TVF read through),
    else ``tree`` is qualified here.  ``typed_walk``: ``typed.tree`` walked already, with at
    least the groups :data:`TYPED_KINDS`.
    """
    if not schema:
        return None, []
    walked = Walked(tree, QUERY_KINDS)
    tables = {t.name.lower() for t in walked.of(exp.Table) if t.name and cte_named(t) is None}
    complete = bool(tables) and tables <= {k.lower() for k in schema}
    arithmetic = any(
        isinstance(use_of(c)[1], _ARITHMETIC) for c in walked.of(exp.Column)
    ) or bool(walked.of(exp.Coalesce))
    if not complete and not arithmetic:
        return None, []
    if typed is not None and _same_typing(typed, schema):
        return _typed_checks(typed, complete, arithmetic, typed_walk)
    options: dict[str, Any] = {"dialect": "flink", "quote_identifiers": False, "identify": False}
    try:
        qualified = qualify(
            tree.copy(), schema=dict(schema), validate_qualify_columns=complete, **options
        )
    except OptimizeError as e:
        return _missing(e), []
    except Exception:  # noqa: BLE001 - sqlglot cannot qualify it: nothing proved
        return None, []
    if not arithmetic:
        return None, []
    try:
        annotated = annotate_types(qualified, schema=dict(schema), dialect="flink")
    except Exception:  # noqa: BLE001 - nothing proved
        return None, []
    return None, _text_arithmetic(annotated)


def _same_typing(typed: TypedQuery, schema: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether ``typed`` was qualified and validated as :func:`column_checks` would (its
    identifiers quoted besides, which Flink's case-sensitive names do not mind)."""
    return (
        not typed.windowed
        and (typed.qualify_error is not None or typed.validated)
        and typed.schema == {t: dict(c) for t, c in schema.items()}
    )


def _typed_checks(
    typed: TypedQuery, complete: bool, arithmetic: bool, walked: Walked | None
) -> tuple[Missing | None, list[tuple[str, str]]]:
    error = typed.qualify_error or (typed.validate_error if complete else None)
    if error is not None:
        return (_missing(error) if isinstance(error, OptimizeError) else None), []
    if not arithmetic or typed.annotate_error is not None:
        return None, []
    return None, _text_arithmetic(typed.tree, walked)


def _missing(error: OptimizeError) -> Missing | None:
    """The column sqlglot could not resolve, from its error (None: another error)."""
    text = str(error)
    if "could not be resolved" not in text and "Unknown column" not in text:
        return None
    found = re.search(r"Line: (\d+), Col: (\d+)", text)
    message = re.sub(r"\.? ?Line: \d+, Col: \d+\.?", "", text).strip()
    return (message, *((int(found[1]), int(found[2])) if found else (None, None)))


def _text_arithmetic(annotated: exp.Expr, walked: Walked | None = None) -> list[tuple[str, str]]:
    """(column, operation) of the STRING columns of ``annotated`` used in arithmetic, or in a
    COALESCE with a number or a boolean (Flink has no common type of those: "Invalid function
    call: COALESCE(STRING, BOOLEAN)", checked).  ``walked``: ``annotated`` walked already."""
    uses: list[tuple[str, str]] = []
    for column in (walked or Walked(annotated, TYPED_KINDS)).of(exp.Column):
        _operand, parent, _beside = use_of(column)
        kind = column.type.this if column.type else None
        if kind not in _TEXT:
            continue
        use = None
        if isinstance(parent, _ARITHMETIC):
            use = (column.name, parent.key.upper())
        else:
            clash = _coalesce_clash(column)
            if clash is not None:
                use = (column.name, f"COALESCE with {clash}")
        if use is not None and use not in uses:
            uses.append(use)
    return uses


def _coalesce_clash(column: exp.Column) -> str | None:
    """The type of a number or boolean that ``column`` (a STRING) is COALESCEd with, if any."""
    node: exp.Expr = column
    parent = column.parent
    while isinstance(parent, exp.Paren):
        node, parent = parent, parent.parent
    if not isinstance(parent, exp.Coalesce):
        return None
    for other in (parent.this, *parent.expressions):
        kind = other.type if other is not node else None
        if kind is not None and kind.this in _NUMBERS_AND_BOOLEANS:
            return kind.this.value
    return None


def trace(tree: exp.Expr | Scope, name: str) -> tuple[str, str] | None:
    """(table, column) that output column ``name`` of the query ``tree`` (or its root scope)
    passes through unchanged (renamed or not: ``select x as y``, through CTEs and ``*``); None
    when it is computed or cannot be told."""
    root = root_scope(tree)
    return _trace(root, name, 0) if root is not None else None


def _trace(scope: Scope, name: str, depth: int) -> tuple[str, str] | None:
    select = scope.expression
    if depth > 32 or not isinstance(select, exp.Select):
        return None
    sources = {alias: source for alias, (_node, source) in scope.selected_sources.items()}
    for projection in select.expressions:
        if projection.alias_or_name.lower() != name.lower() or isinstance(projection, exp.Star):
            continue
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if not isinstance(inner, exp.Column) or isinstance(inner.this, exp.Star):
            return None
        alias = inner.table or (next(iter(sources)) if len(sources) == 1 else None)
        return _trace_in(sources.get(alias) if alias else None, inner.name, depth)
    stars = _star_in(scope)
    if len(stars) == 1 and (stars[0] is not None or len(sources) == 1):
        alias = stars[0] or next(iter(sources))
        return _trace_in(sources.get(alias), name, depth)
    return None


def _trace_in(source: object, name: str, depth: int) -> tuple[str, str] | None:
    if isinstance(source, exp.Table):
        return source.name, name
    if isinstance(source, Scope):
        return _trace(source, name, depth + 1)
    return None
