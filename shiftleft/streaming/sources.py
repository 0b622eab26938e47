"""Write the source tables a streaming script reads: columns, event time and watermark.

A Flink job needs every table it reads declared, and event-time operations (windows,
interval and temporal joins, dedup on time) need a *time attribute*: a ``TIMESTAMP(3)`` /
``TIMESTAMP_LTZ(3)`` column with a ``WATERMARK``.  Given ``schema=`` and ``event_time=`` this
module writes those ``CREATE TABLE`` statements; without a schema it infers each table's columns
from how the script uses them (typed STRING) and says so.

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
from shiftleft.streaming.typed_query import flink_type
from shiftleft.tree import cte_named, select_inputs

INFERRED_ID = "SL4105"
SOURCES_ID = "SL4106"
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


def _column_uses(table: str, trees: list[exp.Expr]) -> dict[str, list[exp.Column]]:
    """Columns the script reads from ``table`` (by their first spelling, with every use):
    qualified by its name or alias, or unqualified in a SELECT whose only source is that table."""
    wanted = table.lower()
    columns: dict[str, str] = {}
    uses: dict[str, list[exp.Column]] = {}
    for tree in trees:
        for select in tree.find_all(exp.Select):
            sources = [  # plain tables (a window TVF's TABLE t is one; the TVF call is not)
                t
                for t in select.find_all(exp.Table)
                if t.find_ancestor(exp.Select) is select and isinstance(t.this, exp.Identifier)
            ]
            aliases = {t.alias_or_name.lower() for t in sources if t.name.lower() == wanted}
            if not aliases:
                continue
            only = len(sources) == 1
            windowed = any(  # a window TVF adds its own columns
                isinstance(t.this, exp.Anonymous) for t in select.find_all(exp.Table)
                if t.find_ancestor(exp.Select) is select
            )
            for column in select.find_all(exp.Column):
                if column.find_ancestor(exp.Select) is not select or isinstance(
                    column.this, exp.Star
                ):
                    continue
                if windowed and column.name.lower() in ("window_start", "window_end", "window_time"):
                    continue
                if (column.table and column.table.lower() in aliases) or (
                    not column.table and only
                ):
                    name = columns.setdefault(column.name.lower(), column.name)
                    uses.setdefault(name, []).append(column)
    return uses


#: aggregates of numbers: Spark casts a string argument to DOUBLE, Flink rejects SUM(STRING)
_NUMERIC_AGGREGATES = tuple(
    getattr(exp, n) for n in ("Sum", "Avg", "Stddev", "StddevPop", "StddevSamp", "Variance", "VariancePop")
)
#: functions reading a time of day: HOUR(x), EXTRACT(HOUR FROM x), FLOOR(x TO HOUR)
_TIME_PARTS = tuple(getattr(exp, n) for n in ("Hour", "Minute", "Second", "Extract", "TimestampTrunc") if hasattr(exp, n))


def _value_of(node: exp.Expr, parent: exp.Expr | None) -> bool:
    """True when ``parent``'s value is ``node``'s (parentheses, COALESCE / NULLIF, a CASE / IF
    branch, not its condition)."""
    if isinstance(parent, (exp.Paren, exp.Coalesce, exp.Nullif)):
        return True
    return isinstance(parent, (exp.If, exp.Case)) and node is not parent.this


def _usage_type(uses: list[exp.Column]) -> str:
    """The type of a source column whose type nobody declared, from how the translated script
    uses it: DOUBLE when it is summed or averaged, TIMESTAMP(3) when a time of day is read
    from it (Flink rejects those on a STRING), STRING otherwise."""
    for column in uses:
        node: exp.Expr = column
        parent = column.parent
        while parent is not None and _value_of(node, parent):  # SUM(CASE WHEN ... THEN x ELSE 0 END) sums x
            node, parent = parent, parent.parent
        if isinstance(parent, _NUMERIC_AGGREGATES) or (
            node is not column and isinstance(parent, exp.Cast) and parent.to.is_type(*exp.DataType.NUMERIC_TYPES)
        ):  # (AVG(x) is AVG(CAST(x AS DOUBLE)): a branch of it mixes types unless x is a number)
            return "DOUBLE"
        if isinstance(parent, _TIME_PARTS) or (isinstance(parent, (exp.Floor, exp.Ceil)) and parent.args.get("to")):
            return "TIMESTAMP(3)"
    return "STRING"


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
    """The lower-case columns of a FROM / JOIN item when they are known without deriving: a
    source table (``tables``: declared or inferred), a CTE or derived table listing its
    columns; None otherwise."""
    query: exp.Expr | None = source.this if isinstance(source, exp.Subquery) else None
    if isinstance(source, exp.Table):
        cte = cte_named(source)
        if cte is None:
            return tables.get(source.name.lower())
        query = cte.this
    if isinstance(query, exp.Select) and not any(isinstance(p, exp.Star) or (isinstance(p, exp.Column) and p.is_star)
                                                 for p in query.expressions):
        return {p.alias_or_name.lower() for p in query.expressions}
    return None


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
            aliases = {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)}
            known = [_known_columns(source, tables) or set() for source in inputs]
            for column in select.find_all(exp.Column):
                if column.table or column.is_star or column.find_ancestor(exp.Select) is not select:
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
) -> tuple[list[str], list[Diagnostic]]:
    """``CREATE TABLE`` statements for every source table of ``trees``, and notes about them.

    ``bounded``: for batch mode, the sources end at the topics' latest offsets."""
    options = options or SinkOptions()
    schema_by_name = {t.lower(): cols for t, cols in schema.items()}
    time_by_name = {t.lower(): c for t, c in event_time.items()}
    statements: list[str] = []
    notes: list[Diagnostic] = []
    inferred: dict[str, set[str]] = {}  # the columns of the tables declared from their uses
    for table in source_tables(trees):
        declared = schema_by_name.get(table.lower())
        time_column = time_by_name.get(table.lower())
        columns: list[tuple[str, str]] = []
        if declared:
            for name, type_text in declared.items():
                # an unreadable type keeps the user's spelling; the planner will say
                columns.append((name, flink_type(type_text, read) or type_text))
        else:
            columns = [(c, _usage_type(uses)) for c, uses in _column_uses(table, trees).items()]
            inferred[table.lower()] = {c.lower() for c, _ in columns}
            typed = [f"{c} {t}" for c, t in columns if t != "STRING"]
            notes.append(
                Diagnostic.of(
                    INFERRED_ID,
                    f"source table {table}: no schema given; its columns "
                    f"({', '.join(c for c, _ in columns) or 'none found'}) were inferred from the "
                    "script and declared STRING"
                    + (f", except where their use needs another type ({', '.join(typed)})" if typed else ""),
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
                f"source tables declared: {', '.join(source_tables(trees))}",
            )
        )
    return statements, notes
