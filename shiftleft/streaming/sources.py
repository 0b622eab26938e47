"""Write the source tables a streaming script reads: columns, event time and watermark.

A Flink job needs every table it reads declared, and event-time operations (windows,
interval and temporal joins, dedup on time) need a *time attribute*: a ``TIMESTAMP(3)`` /
``TIMESTAMP_LTZ(3)`` column with a ``WATERMARK``.  Given ``schema=`` and ``event_time=`` this
module writes those ``CREATE TABLE`` statements; without a schema it infers each table's columns
from how the script uses them (:mod:`~shiftleft.streaming.use_types`; STRING when nothing
tells) and says so, with an error for a column whose uses no one type suits.

Connectors: open-source Flink reads a Kafka topic named after the table (``json``, from the
earliest offset); Confluent Cloud tables are topics already, so their DDL carries the columns,
the watermark and ``'changelog.mode' = 'append'``.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from shiftleft.models import Diagnostic, Target
from shiftleft.dialects import build
from shiftleft.streaming.sink import SinkOptions, target_table
from shiftleft.rewrite.context import node_position
from shiftleft.rewrite.walk import own_nodes_bfs
from shiftleft.streaming.typed_query import flink_type
from shiftleft.streaming.use_types import FAMILIES, STRING, Use, decide, family, generated_names, use_type
from shiftleft.tree import cte_named, relation_columns, select_inputs

INFERRED_ID = "SL4105"
SOURCES_ID = "SL4106"
CONFLICT_ID = "SL3045"
NO_COLUMNS_ID = "SL4113"


def _created_names(trees: list[exp.Expr]) -> set[str]:
    names = set()
    for tree in trees:
        if isinstance(tree, (exp.Create, exp.Insert)):
            table = target_table(tree)
            if table is not None:
                names.add(table.name.lower())
    return names


def source_tables(trees: list[exp.Expr]) -> list[str]:
    """Tables the script reads and does not create itself, in order of first use."""
    own = _created_names(trees)
    found: dict[str, str] = {}
    for tree in trees:
        for table in tree.find_all(exp.Table):
            # the script's own targets are in `own`; a CTE's name where it is in scope (not
            # in the body of a CTE named after the table it reads) is no table
            if (
                isinstance(table.this, exp.Identifier)
                and table.name
                and table.name.lower() not in own
                and cte_named(table) is None
            ):
                found.setdefault(table.name.lower(), table.name)
    return list(found.values())


#: how many CTEs / subqueries a column is followed through to its table
_DEPTH = 16


def _inputs(select: exp.Select) -> dict[str, exp.Expr]:
    """The names ``select`` gives its inputs (lower case) → the input (a table, a CTE's name,
    a subquery; a window TVF's ``TABLE t`` is its table t)."""
    names: dict[str, exp.Expr] = {}
    for source in own_nodes_bfs(select, (exp.Table, exp.Subquery)):
        if not source.alias_or_name:
            continue
        names.setdefault(source.alias_or_name.lower(), source)
    return names


class _Origins:
    """The table column a SELECT's column reads: through a correlated outer query's name, and
    through the CTEs and subqueries that pass it on (``x``, ``x AS y``, ``*``)."""

    def __init__(self) -> None:
        self._inputs: dict[int, dict[str, exp.Expr]] = {}

    def named(self, select: exp.Select) -> dict[str, exp.Expr]:
        if id(select) not in self._inputs:
            self._inputs[id(select)] = _inputs(select)
        return self._inputs[id(select)]

    def origin(self, select: exp.Select, alias: str, name: str, depth: int = 0) -> str | None:
        """The table (lower case) whose column ``name`` is read as ``alias.name`` (``alias``
        empty: the SELECT's only input) in ``select``, None when it cannot be told."""
        source: exp.Expr | None = None
        scope: exp.Select | None = select
        if alias:
            while scope is not None and source is None:  # the nearest SELECT naming it: correlated
                source = self.named(scope).get(alias)
                scope = scope.find_ancestor(exp.Select) if source is None else scope
        else:
            inputs = [s for s in self.named(select).values() if not (isinstance(s, exp.Table) and isinstance(s.this, exp.Anonymous))]
            source = inputs[0] if len(inputs) == 1 else None
        if source is None or depth > _DEPTH:
            return None
        query: exp.Expr | None = source.this if isinstance(source, exp.Subquery) else None
        if isinstance(source, exp.Table):
            if not isinstance(source.this, exp.Identifier):
                return None
            cte = cte_named(source)
            if cte is None:
                return source.name.lower()
            query = cte.this
        return self._through(query, name, depth) if isinstance(query, exp.Select) else None

    def _through(self, query: exp.Select, name: str, depth: int) -> str | None:
        """The table of the column ``query`` outputs as ``name``, when it passes one on."""
        stars: list[str] = []
        for projection in query.expressions:
            if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)):
                stars.append(projection.table.lower() if isinstance(projection, exp.Column) else "")
            elif projection.alias_or_name.lower() == name.lower():
                inner = projection.this if isinstance(projection, exp.Alias) else projection
                if isinstance(inner, exp.Column) and not isinstance(inner.this, exp.Star):
                    return self.origin(query, inner.table.lower(), inner.name, depth + 1)
                return None
        if len(stars) == 1:
            return self.origin(query, stars[0], name, depth + 1)
        return None


def _column_uses(trees: list[exp.Expr]) -> dict[str, dict[str, list[exp.Column]]]:
    """table (lower case) → the columns the script reads from it (by their first spelling,
    with every use): qualified by its name or alias (in its SELECT, or in a subquery
    correlated with it), or unqualified in a SELECT whose only source is that table, or read
    through a CTE / subquery passing it on (every use, where it is used).  One walk for all
    the tables."""
    spellings: dict[str, dict[str, str]] = {}
    uses: dict[str, dict[str, list[exp.Column]]] = {}
    origins = _Origins()
    for tree in trees:
        for select in tree.find_all(exp.Select):
            windowed = any(  # a window TVF adds its own columns
                isinstance(t.this, exp.Anonymous) for t in own_nodes_bfs(select, exp.Table)
            )
            generated = generated_names(select)  # an UNNEST's elements and offsets
            for column in own_nodes_bfs(select, exp.Column):
                if isinstance(column.this, exp.Star) or (not column.table and column.name.lower() in generated):
                    continue
                if windowed and column.name.lower() in ("window_start", "window_end", "window_time"):
                    continue
                table = origins.origin(select, column.table.lower(), column.name)
                if table is not None:
                    # the script's spelling of the table's column: its first use
                    name = spellings.setdefault(table, {}).setdefault(column.name.lower(), column.name)
                    uses.setdefault(table, {}).setdefault(name, []).append(column)
    return uses


def unnested_types(trees: list[exp.Expr], schema: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """table (lower case) → column (lower case) → ARRAY type of the columns of the tables
    ``schema`` does not declare that ``trees`` (the script as read) unnest, typed by the uses
    of their elements (:mod:`~shiftleft.streaming.use_types`), when those uses agree."""
    declared = {t.lower() for t in schema}
    found: dict[str, dict[str, str]] = {}
    for table, columns in _column_uses(trees).items():
        if table in declared:
            continue
        for name, uses in columns.items():
            kind, conflicts = decide(use_type(c) for c in uses)
            if kind is not None and family(kind) == "array" and not conflicts:
                found.setdefault(table, {})[name.lower()] = kind
    return found


def _inferred_columns(
    uses: dict[str, list[exp.Column]],
    table: str,
    typed: Mapping[str, Mapping[str, str]],
    unnested: Mapping[str, str],
) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """(name, type its ``uses`` imply: :mod:`~shiftleft.streaming.use_types`, else STRING) of
    the columns the script reads from ``table``, and an error for each whose uses no type
    suits.  ``typed``: column types (lower case) of the script's tables, for a column compared
    with one of theirs (a join key takes the type of the key it is joined with); ``unnested``:
    the types of the arrays the script as read unnests (lower case), which win: the output no
    longer tells everything (sqlglot writes an UNNEST's offset as one more column)."""
    columns: list[tuple[str, str]] = []
    notes: list[Diagnostic] = []
    contexts: dict[int, dict[str, dict[str, str]]] = {}
    for name, found in uses.items():
        if name.lower() in unnested:
            columns.append((name, unnested[name.lower()]))
            continue
        kind, conflicts = decide(use_type(c, _typing_context(c, typed, contexts)) for c in found)
        columns.append((name, kind or STRING))
        if conflicts:
            notes.append(_conflict(table, name, kind or STRING, conflicts))
    return columns, notes


def _typing_context(
    column: exp.Column, typed: Mapping[str, Mapping[str, str]], contexts: dict[int, dict[str, dict[str, str]]]
) -> dict[str, dict[str, str]]:
    """The column types of the tables of ``column``'s SELECT and of the SELECTs around it (a
    correlated subquery compares with the outer query's), by their alias there."""
    select = column.find_ancestor(exp.Select)
    if select is None or not typed:
        return {}
    if id(select) not in contexts:
        context: dict[str, dict[str, str]] = {}
        scope: exp.Select | None = select
        while scope is not None:
            for t in own_nodes_bfs(scope, exp.Table):
                name = t.name.lower()
                if isinstance(t.this, exp.Identifier) and name in typed:
                    context.setdefault(t.alias_or_name, dict(typed[name]))
            scope = scope.find_ancestor(exp.Select)
        contexts[id(select)] = context
    return contexts[id(select)]


def _conflict(table: str, name: str, kind: str, conflicts: list[Use]) -> Diagnostic:
    first = conflicts[0].node
    line, column = node_position(first)
    wants = " or ".join(f for f in FAMILIES if f in conflicts[0].accepts)
    if not wants:  # an array whose elements' uses agree on no type
        return Diagnostic.of(
            CONFLICT_ID,
            f"source table {table}: column {name} is unnested ({first.sql('flink')[:80]}) and its "
            "elements are used as two types (or as a struct and as a value): no element type suits "
            "every use, the Flink planner rejects one of them",
            line=line,
            column=column,
            suggestion="declare the table's column types with schema= (or --schema), and cast the "
            "elements where they are used as another type",
        )
    return Diagnostic.of(
        CONFLICT_ID,
        f"source table {table}: column {name} is used as a {family(kind)} (declared {kind}) and "
        f"as a {wants} ({first.sql('flink')[:80]}): no type suits both uses, the Flink planner "
        "rejects one of them",
        line=line,
        column=column,
        suggestion="declare the table's column types with schema= (or --schema), and cast the "
        "column where it is used as another type",
    )


def source_table_ddl(
    table: str,
    columns: list[tuple[str, str]],
    time_column: str | None,
    target: Target,
    options: SinkOptions,
    *,
    bounded: bool = False,
) -> str:
    """``CREATE TABLE`` of one source topic: ``columns`` (name, Flink type), a watermark on
    ``time_column`` (declared TIMESTAMP(3), added when missing), the connector options."""
    typed = []
    for name, kind in columns:
        if time_column and name.lower() == time_column.lower():
            # a time attribute must be TIMESTAMP(3) / TIMESTAMP_LTZ(3); with the session time
            # zone UTC, TIMESTAMP(3) holds the same instants as Spark's TIMESTAMP
            kind = "TIMESTAMP(3)"
        typed.append((name, kind))
    entries = build.column_defs(typed)
    if time_column:
        if not any(name.lower() == time_column.lower() for name, _ in columns):
            entries.extend(build.column_defs([(time_column, "TIMESTAMP(3)")]))
        entries.append(build.watermark(time_column))
    if target is Target.CONFLUENT:
        settings = {"changelog.mode": "append", "value.format": options.confluent_value_format}
    else:
        settings = {
            "connector": "kafka",
            "topic": table,
            "properties.bootstrap.servers": options.bootstrap_servers,
            "properties.group.id": "shiftleft",
            "scan.startup.mode": "earliest-offset",
            "format": options.format,
        }
        if bounded:  # a batch job reads the topic up to its end at start-up
            settings["scan.bounded.mode"] = "latest-offset"
    return build.to_sql(build.create_table(table, entries, build.options(settings)))


def _known_columns(source: exp.Expr, tables: Mapping[str, set[str]]) -> set[str] | None:
    """The lower-case columns of a FROM / JOIN item when they are known without deriving
    (:func:`relation_columns`; a source table's from ``tables``: declared or inferred), None
    otherwise."""
    found = relation_columns(source, lambda table: sorted(tables.get(table.name.lower()) or ()))
    return None if found is None else set(found)


def unattributed(trees: list[exp.Expr], undeclared: set[str], tables: Mapping[str, set[str]]) -> list[str]:
    """Columns the source DDL cannot give one table: unqualified in a SELECT over several
    inputs, one of them a table declared from its uses (``undeclared``), and either no input
    known to have them or several (``tables``: the source tables' columns, declared or
    inferred).  The planner would say "Column 'x' not found" or "... is ambiguous"."""
    found: dict[str, None] = {}
    for tree in trees:
        for select in tree.find_all(exp.Select):
            inputs = select_inputs(select)
            if len(inputs) < 2 or not any(
                isinstance(i, exp.Table) and i.name.lower() in undeclared and cte_named(i) is None for i in inputs
            ):
                continue
            aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)} | generated_names(select)
            known = [_known_columns(source, tables) or set() for source in inputs]
            for column in own_nodes_bfs(select, exp.Column):
                if column.table or column.is_star:
                    continue
                name = column.name.lower()
                if sum(name in k for k in known) != 1 and name not in aliases:
                    found.setdefault(column.name, None)
    return list(found)


def source_ddl(
    trees: list[exp.Expr],
    *,
    read: str,
    target: Target,
    schema: Mapping[str, Mapping[str, str]],
    event_time: Mapping[str, str],
    options: SinkOptions | None = None,
    bounded: bool = False,
    unnested: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[str], list[Diagnostic]]:
    """``CREATE TABLE`` statements for every source table of ``trees``, and notes about them.

    ``bounded``: for batch mode, the sources end at the topics' latest offsets; ``unnested``:
    :func:`unnested_types` of the script as read (the rules wrote the output for those types:
    an UNNEST of structs names their fields, which the output alone no longer tells)."""
    options = options or SinkOptions()
    schema_by_name = {t.lower(): cols for t, cols in schema.items()}
    time_by_name = {t.lower(): c for t, c in event_time.items()}
    statements: list[str] = []
    notes: list[Diagnostic] = []
    tables = source_tables(trees)
    found_uses = _column_uses(trees) if any(t.lower() not in schema_by_name for t in tables) else {}
    uses = {t.lower(): found_uses.get(t.lower(), {}) for t in tables if t.lower() not in schema_by_name}
    typed = {
        t: {c.lower(): flink_type(k, read) or k for c, k in cols.items()} for t, cols in schema_by_name.items()
    }
    for table, found in uses.items():  # what each column's own uses say, for the join keys
        said = {n.lower(): decide(use_type(c) for c in columns)[0] for n, columns in found.items()}
        typed[table] = {n: k for n, k in said.items() if k is not None}
    inferred: dict[str, set[str]] = {}  # the columns of the tables declared from their uses
    for table in tables:
        declared = schema_by_name.get(table.lower())
        time_column = time_by_name.get(table.lower())
        columns: list[tuple[str, str]] = []
        if declared:
            for name, type_text in declared.items():
                # an unreadable type keeps the user's spelling; the planner will say
                columns.append((name, flink_type(type_text, read) or type_text))
        else:
            columns, conflicts = _inferred_columns(uses[table.lower()], table, typed, (unnested or {}).get(table.lower(), {}))
            notes.extend(conflicts)
            inferred[table.lower()] = {c.lower() for c, _ in columns}
            retyped = [f"{c} {t}" for c, t in columns if t != STRING]
            notes.append(
                Diagnostic.of(
                    INFERRED_ID,
                    f"source table {table}: no schema given; its columns "
                    f"({', '.join(c for c, _ in columns) or 'none found'}) were inferred from the "
                    "script and declared STRING"
                    + (f", except where their use needs another type ({', '.join(retyped)})" if retyped else ""),
                    suggestion="declare the table with schema= (or --schema)",
                )
            )
        statements.append(
            source_table_ddl(table, columns, time_column, target, options, bounded=bounded)
        )
    lost = unattributed(trees, set(inferred), {**{t: set(c) for t, c in schema_by_name.items()}, **inferred})
    if lost:
        notes.append(
            Diagnostic.of(
                NO_COLUMNS_ID,
                f"column{'s' if len(lost) > 1 else ''} {', '.join(lost[:8])} of a query over several "
                "tables without a schema name no one table: no source DDL can declare "
                f"{'them' if len(lost) > 1 else 'it'} alone, and Flink would not find "
                f"{'them' if len(lost) > 1 else 'it'} (or find several)",
                suggestion="qualify the columns with their table (t.col), or declare the tables with schema=",
            )
        )
    if statements:
        notes.append(
            Diagnostic.of(
                SOURCES_ID,
                f"source tables declared: {', '.join(tables)}",
            )
        )
    return statements, notes
