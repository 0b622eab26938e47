"""The Flink types of a query's output columns: the query qualified and type-annotated by
sqlglot over its tables' declared types (window TVFs read as their tables), for the sink DDL
and the migration's column checks."""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, DialectType
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.annotate_types import TypeAnnotator
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import MappingSchema

from shiftleft.dialects import build
from shiftleft.dialects.flink_parser import TableArgument
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.changelog import WINDOW_TVFS
from shiftleft.tree import nodes


@lru_cache(maxsize=4096)  # pure; a project repeats the same few types thousands of times
def flink_type(type_text: str, read: str) -> str | None:
    """A declared type in the ``read`` dialect, in Flink spelling (None when unreadable)."""
    try:
        return build.to_sql(exp.DataType.build(type_text, dialect=read), pretty=False)
    except Exception:  # noqa: BLE001 - an unreadable declared type is an unknown type
        return None


def _flink_schema(ctx: RuleContext) -> dict[str, dict[str, str]]:
    schema: dict[str, dict[str, str]] = {}
    for table, columns in ctx.schema.items():
        schema[table] = {}
        for column, type_text in columns.items():
            kind = flink_type(type_text, ctx.read)
            if kind is not None:
                schema[table][column] = kind
    return schema


# Columns a window table-valued function adds (TUMBLE/HOP/CUMULATE/SESSION); window_time is
# a time attribute, written into a sink as a plain timestamp.
_WINDOW_COLUMNS = {
    "window_start": "TIMESTAMP(3)",
    "window_end": "TIMESTAMP(3)",
    "window_time": "TIMESTAMP(3)",
}


def _declared_in_sources(
    column: str, query: exp.Expr, schema: dict[str, dict[str, str]]
) -> str | None:
    """The declared type of ``column`` when exactly one table the query reads declares it
    (reaches through window TVFs, whose output sqlglot cannot type)."""
    lowered = {t.lower(): {c.lower(): ty for c, ty in cols.items()} for t, cols in schema.items()}
    found = {
        lowered[table.name.lower()][column.lower()]
        for table in query.find_all(exp.Table)
        if column.lower() in lowered.get(table.name.lower(), {})
    }
    return found.pop() if len(found) == 1 else None


def _is_window_call(call: exp.Expr) -> bool:
    return any(isinstance(n, exp.Anonymous) and n.name.upper() in WINDOW_TVFS for n in call.walk())


@lru_cache(maxsize=1024)  # pure; the same few type names come back in every model
def _schema_type(type_text: str, dialect: Dialect) -> exp.DataType:
    """``type_text`` as sqlglot's :class:`MappingSchema` reads a column type (a user-defined
    type where the dialect has them, names normalized as the dialect does)."""
    parsed = exp.DataType.from_str(type_text, dialect=dialect, udt=dialect.SUPPORTS_USER_DEFINED_TYPES)
    parsed.transform(dialect.normalize_identifier, copy=False)
    return parsed


class _TypingSchema(MappingSchema):
    """A :class:`MappingSchema` that reads each type name once per process, not once per
    schema: a model's schema is new, its parents' types are not.  Each schema still holds its
    own copy of a type (the types of a tree's nodes are those objects)."""

    def _to_data_type(self, schema_type: str, dialect: DialectType = None) -> exp.DataType:
        if schema_type not in self._type_mapping_cache:
            reader = Dialect.get_or_raise(dialect) if dialect else self.dialect
            try:
                parsed = _schema_type(schema_type, reader)
            except AttributeError:  # as MappingSchema says it
                return super()._to_data_type(schema_type, dialect)
            self._type_mapping_cache[schema_type] = parsed.copy()
        return self._type_mapping_cache[schema_type]


class TypedQuery:
    """A copy of a query qualified and type-annotated over its tables' Flink types, window TVFs
    read as their tables: :func:`output_columns` reads its projections, the migration's column
    checks (:func:`shiftleft.migration.columns.column_checks`) its columns, so that a model is
    qualified and typed once.  ``validate``: also run sqlglot's column validation on the
    qualified tree (the error is kept, the typing goes on)."""

    def __init__(self, query: exp.Expr, ctx: RuleContext, validate: bool = False) -> None:
        copy = query.copy()
        walked = nodes(copy)  # one walk for the COUNTs and the tables (setting big_int moves no node)
        for count in (n for n in walked if isinstance(n, exp.Count)):
            # Flink's COUNT is a BIGINT; the Flink reader marks it so, a COUNT a rule built
            # (count_if's) is not, and would be typed INT: a sink declared INT is rejected
            count.set("big_int", True)
        schema = _flink_schema(ctx)
        #: whether a window TVF was replaced by its table (the copy then differs from the query)
        self.windowed = False
        for tvf in [n for n in walked if isinstance(n, exp.Table)]:
            # type through a window TVF: read its table, which gains the window columns
            call = tvf.this
            inner = call.find(TableArgument) if isinstance(call, exp.Anonymous) else None
            if inner is None or not isinstance(inner.this, exp.Table) or not _is_window_call(call):
                continue
            table = inner.this.copy()
            if tvf.alias:
                table.set("alias", exp.TableAlias(this=exp.to_identifier(tvf.alias)))
            table_columns = schema.setdefault(table.name, {})
            for name, kind in _WINDOW_COLUMNS.items():
                table_columns.setdefault(name, kind)
            tvf.replace(table)
            self.windowed = True
        self.schema = schema
        self.validated = validate
        #: what qualifying raised (the tree is then as far as qualifying got, not annotated)
        self.qualify_error: Exception | None = None
        #: what sqlglot's column validation says of the qualified tree (``validate=True``)
        self.validate_error: Exception | None = None
        #: what annotating raised (the types are then as far as annotating got)
        self.annotate_error: Exception | None = None
        try:
            # one sqlglot schema for qualifying and typing (building one reads every name
            # again); Flink's names are case-sensitive: quoting them changes nothing typed
            typing_schema = _TypingSchema(dict(schema) if schema else None, dialect="flink")
            copy = qualify(
                copy,
                schema=typing_schema,
                dialect="flink",
                validate_qualify_columns=False,
                quote_identifiers=False,
            )
        except Exception as e:  # noqa: BLE001 - fall back to names only
            self.qualify_error = e
        if self.qualify_error is None:
            scopes: list[Scope] | None = None  # the qualified tree's scopes: validated, then typed
            if validate:
                try:
                    scopes = traverse_scope(copy)
                    _validate_qualified(scopes)
                except Exception as e:  # noqa: BLE001 - the caller judges it
                    self.validate_error = e
            try:
                # annotate_types(copy, schema=typing_schema), over the scopes validated (the
                # tree has not changed since): one traversal of the scopes less
                annotator = TypeAnnotator(schema=typing_schema)
                for scope in traverse_scope(copy) if scopes is None else scopes:
                    annotator.annotate_scope(scope)
                annotator.annotate(copy, annotate_scope=False)
            except Exception as e:  # noqa: BLE001 - fall back to names only
                self.annotate_error = e
        self.tree = copy


def _validate_qualified(scopes: list[Scope]) -> None:
    """sqlglot's ``validate_qualify_columns`` (without the SQL text: no highlight) over the
    scopes of the qualified tree, traversed once for it and the typing: raises its
    ``OptimizeError`` on the first column no source has, else on the first ambiguous one."""
    unqualified: list[exp.Column] = []
    for scope in scopes:
        if not isinstance(scope.expression, exp.Select):
            continue
        columns = scope.unqualified_columns
        if scope.external_columns and not scope.is_correlated_subquery and not scope.pivots:
            column = scope.external_columns[0]
            for_table = f" for table: '{column.table}'" if column.table else ""
            raise OptimizeError(f"Column '{column.name}' could not be resolved{for_table}.{_at(column, ' Line: {}, Col: {}')}")
        unqualified.extend(columns)
    if unqualified:
        first = unqualified[0]
        raise OptimizeError(f"Ambiguous column '{first.name}'{_at(first, ' (Line: {}, Col: {})')}")


def _at(column: exp.Column, template: str) -> str:
    """``template`` with the column's line and column, as sqlglot words its errors ("" when
    the column has no position)."""
    line, col = column.this.meta_get("line"), column.this.meta_get("col")
    return template.format(line, col) if line and col else ""


def output_columns(
    query: exp.Expr,
    ctx: RuleContext,
    untyped: set[str] | None = None,
    typed: TypedQuery | None = None,
) -> list[tuple[str, str | None]]:
    """(name, Flink type or None when unknown) of each output column of ``query``.

    ``untyped``, when given, receives the names of the unknown columns computed from typed
    inputs only: shiftleft's typing cannot follow the expression (a gap of ours, not of the
    user's schema), so the STRING fallback is likely wrong.  ``typed``: ``TypedQuery(query,
    ctx)`` when the caller has it already."""
    typed = typed or TypedQuery(query, ctx)
    copy, schema = typed.tree, typed.schema
    select = copy if isinstance(copy, exp.Select) else copy.find(exp.Select)
    columns: list[tuple[str, str | None]] = []
    for projection in select.expressions if select is not None else []:
        kind = projection.type
        known = kind is not None and not kind.is_type(exp.DType.UNKNOWN, exp.DType.NULL)
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if not known and isinstance(inner, exp.Column) and inner.name.lower() in _WINDOW_COLUMNS:
            columns.append((projection.alias_or_name, _WINDOW_COLUMNS[inner.name.lower()]))
            continue
        if not known and isinstance(inner, exp.Column):
            columns.append(
                (projection.alias_or_name, _declared_in_sources(inner.name, query, schema))
            )
            continue
        if not known and untyped is not None and _inputs_typed(inner):
            untyped.add(projection.alias_or_name)
        columns.append((projection.alias_or_name, build.to_sql(kind, pretty=False) if known else None))
    return columns


def _inputs_typed(expression: exp.Expr) -> bool:
    """Every column ``expression`` reads has a known type (after annotation)."""
    return all(
        c.type is not None and not c.type.is_type(exp.DType.UNKNOWN, exp.DType.NULL)
        for c in expression.find_all(exp.Column)
    )
