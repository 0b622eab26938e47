"""The derivation catalog of a script: what each table a statement reads emits.

Statements are derived in order, so a view, a CTAS or a sink written earlier in the script
propagates its mode and keys to the statements reading it:

* ``CREATE TABLE`` DDL: an upsert source when it has a primary key and an upsert connector
  (``upsert-kafka``, ``'changelog.mode' = 'upsert'``) or a changelog format / mode
  (``debezium-json``, ``'changelog.mode' = 'retract'``: updating), else an append source; a
  ``WATERMARK`` column is its time attribute;
* ``CREATE VIEW v AS q``: ``q`` derived;
* a sink table shiftleft writes: what a reader of that sink gets back;
* a table only named in ``event_time=``: an append source with that time attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlglot import exp

from shiftleft.derive import Mode, Relation, append_source, derive, query_of, upsert_source
from shiftleft.derive.timeattr import infer_event_time
from shiftleft.models import Diagnostic, OutputKind, OutputStatement
from shiftleft.streaming.changelog import Changelog, ChangelogMode, changelog_of
from shiftleft.streaming.options import StreamingOptions

_UPSERT_CONNECTORS = {"upsert-kafka"}
_CHANGELOG_FORMATS = {"debezium-json", "debezium-avro-confluent", "canal-json", "maxwell-json", "ogg-json"}


def _properties(create: exp.Create) -> dict[str, str]:
    props = create.args.get("properties")
    out = {}
    for prop in props.expressions if props is not None else []:
        if isinstance(prop, exp.Property) and isinstance(prop.this, exp.Literal):
            value = prop.args.get("value")
            out[prop.this.this.lower()] = value.this.lower() if isinstance(value, exp.Literal) else ""
    return out


def table_relation(create: exp.Create) -> Relation | None:
    """The relation a ``CREATE TABLE`` (column list) DDL declares, or None for other DDL."""
    schema = create.this
    if create.kind != "TABLE" or not isinstance(schema, exp.Schema) or create.expression is not None:
        return None
    columns = [c.name for c in schema.expressions if isinstance(c, exp.ColumnDef)]
    times = [
        c.this.name for c in schema.expressions if type(c).__name__ == "WatermarkColumnConstraint"
    ]
    key = [i.name for p in schema.find_all(exp.PrimaryKey) for i in p.expressions]
    options = _properties(create)
    mode = options.get("changelog.mode", "")
    formats = {options.get("format", ""), options.get("value.format", "")}
    connector = options.get("connector", "")
    # upsert-kafka; Confluent Cloud: a primary key and no changelog.mode is an upsert table
    if key and (connector in _UPSERT_CONNECTORS or (mode in ("upsert", "") and connector in ("", "confluent"))):
        return upsert_source(columns, key, times)
    if mode == "retract" or formats & _CHANGELOG_FORMATS:
        return Relation(
            columns=tuple(columns), mode=Mode.UPDATING, deletes=True,
            keys=frozenset({frozenset(k.lower() for k in key)}) if key else frozenset(),
            time_attributes=frozenset(t.lower() for t in times),
            operator="changelog source", reason="a changelog (retract) source",
        )
    return append_source(columns, times)


def written_relation(columns: list[str], changelog: Changelog, time_column: str | None = None) -> Relation:
    """What a reader of a sink table written for ``changelog`` gets back."""
    times = [time_column] if time_column else []
    if changelog.mode is ChangelogMode.UPSERT and changelog.key:
        return upsert_source(columns, changelog.key, times)
    if changelog.mode is ChangelogMode.RETRACT:
        return Relation(
            columns=tuple(columns), mode=Mode.UPDATING, deletes=True,
            time_attributes=frozenset(t.lower() for t in times),
            operator="changelog source", reason=f"a retract changelog ({changelog.reason})",
        )
    return append_source(columns, times)


@lru_cache(maxsize=1024)
def _event_time_source(table: str, column: str, columns: tuple[str, ...] | None) -> Relation:
    """The relation of a source table with a declared event time (immutable: built once per
    declaration, not per call and statement)."""
    return Relation(
        columns=columns,
        time_attributes=frozenset({column.lower()}),
        reason=f"{table} (event time {column}) is read as an append-only source",
    )


class ScriptCatalog:
    """Derived relations of the tables a script has declared or written so far."""

    def __init__(
        self,
        event_time: Mapping[str, str] | None = None,
        schema: Mapping[str, Mapping[str, str]] | None = None,
        relations: Mapping[str, Relation] | None = None,
    ) -> None:
        self.relations: dict[str, Relation] = {}
        for table, column in (event_time or {}).items():
            columns = tuple((schema or {}).get(table, {})) or None
            self.relations[table.lower()] = _event_time_source(table, column, columns)

        self.relations.update({k.lower(): v for k, v in (relations or {}).items()})
        #: the last derivation: a statement's query is derived by its sink, its output and
        #: (a view) its registration; the tables it reads do not change in between
        self._last: tuple[exp.Expr, Relation] | None = None

    def derive(self, query: exp.Expr) -> Relation:
        if self._last is not None and self._last[0] is query:
            return self._last[1]
        relation = derive(query, self.relations)
        self._last = (query, relation)
        return relation

    def register(self, tree: exp.Expr) -> None:
        """Record what ``tree`` (the statement as written) declares or creates."""
        if isinstance(tree, exp.Create):
            table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            if not isinstance(table, exp.Table):
                return
            if tree.kind == "VIEW" and isinstance(tree.expression, exp.Query):
                self.relations[table.name.lower()] = self.derive(tree.expression)
                self._last = None
                return
            declared = table_relation(tree)
            if declared is not None:
                self.relations[table.name.lower()] = declared
                self._last = None

    def written(self, name: str, relation: Relation) -> None:
        self.relations[name.lower()] = relation
        self._last = None


def output_kind(tree: exp.Expr) -> OutputKind:
    if isinstance(tree, exp.Insert):
        return OutputKind.INSERT
    if isinstance(tree, exp.Create):
        if tree.kind == "VIEW":
            return OutputKind.VIEW_DDL
        if tree.kind == "TABLE":
            return OutputKind.CTAS if isinstance(tree.expression, exp.Query) else OutputKind.TABLE_DDL
    if isinstance(tree, exp.Query):
        return OutputKind.QUERY
    return OutputKind.OTHER


def describe(tree: exp.Expr, sql: str, catalog: ScriptCatalog, kind: OutputKind | None = None) -> OutputStatement:
    """An output statement with the changelog derived for its query (or its table)."""
    kind = kind or output_kind(tree)
    relation: Relation | None = None
    query = query_of(tree)
    if isinstance(query, exp.Query):
        relation = catalog.derive(query)
    elif isinstance(tree, exp.Create) and kind is OutputKind.TABLE_DDL:
        relation = table_relation(tree)
    if relation is None:
        return OutputStatement(kind=kind, sql=sql)
    changelog = changelog_of(relation)
    return OutputStatement(
        kind=kind,
        sql=sql,
        changelog=changelog.mode.value,
        keys=[sorted(k) for k in sorted(relation.keys, key=sorted)],
        primary_key=changelog.key if changelog.mode is ChangelogMode.UPSERT else [],
        time_attributes=sorted(relation.time_attributes),
    )


def with_relations(options: Mapping[str, Any], relations: Mapping[str, Relation]) -> dict[str, Any]:
    """``transpile()`` options whose streaming policies also carry ``relations`` (what the
    tables read emit: dbt parents' derived relations), for the rules that derive."""
    out = dict(options)
    if relations:
        streaming = out.get("streaming") or StreamingOptions()
        merged = {**streaming.relations, **{k.lower(): v for k, v in relations.items()}}
        out["streaming"] = streaming.model_copy(update={"relations": merged})
    return out


def rule_catalog(ctx: Any) -> dict[str, Relation]:
    """The derivation catalog a rule sees (a :class:`RuleContext`): the declared event times
    and schema, and the relations the caller passed (``StreamingOptions.relations``); built
    once per statement."""
    found = ctx.memo.get("derive-catalog")
    if found is None:
        found = ScriptCatalog(ctx.event_time, ctx.schema, ctx.streaming.relations).relations
        ctx.memo["derive-catalog"] = found
    return found


def column_catalog(ctx: Any) -> dict[str, Relation]:
    """:func:`rule_catalog` with the schema's tables it lacks, as append sources of their
    declared columns: for the rules that ask which columns a query's sources have."""
    found = ctx.memo.get("column-catalog")
    if found is None:
        found = dict(rule_catalog(ctx))
        for table, columns in ctx.schema.items():
            found.setdefault(table.lower(), append_source(list(columns)))
        ctx.memo["column-catalog"] = found
    return found


def input_columns(source: exp.Expr, ctx: Any) -> list[str] | None:
    """The columns of a FROM / JOIN input (a table, view of the script or subquery) in order,
    for rules that write out what Spark resolves from them (a star inside a function, a
    NATURAL join's shared columns): from the script's constant views (``ctx`` is a
    :class:`~shiftleft.rewrite.RuleContext`), the schema or the derivation; None when not known."""
    if isinstance(source, exp.Table):
        listed = ctx.constant_relations.get(source.name.lower(), ())
        if listed:
            return list(listed)
    derived = derive(source, column_catalog(ctx)).columns
    if derived is None or "*" in derived:
        return None
    return list(derived)


INFERRED_TIME_ID = "SL4108"


def inferred_event_time(
    trees: list[exp.Expr],
    schema: Mapping[str, Mapping[str, str]],
    event_time: Mapping[str, str],
    read: str,
) -> tuple[dict[str, str], list[Diagnostic]]:
    """``event_time`` completed with the event times the script makes unambiguous (see
    :mod:`shiftleft.derive.timeattr`), and an SL4108 note for each."""
    found = infer_event_time(trees, schema, event_time, read)
    notes = [
        Diagnostic.of(
            INFERRED_TIME_ID,
            f"event time of {table} inferred: {column} ({why}); its source table declares "
            f"a watermark on it",
            suggestion=f"confirm it or name another: event_time={{'{table}': '...'}} / --event-time {table}.COLUMN",
        )
        for table, (column, why) in sorted(found.items())
    ]
    return {**{t: c for t, (c, _) in found.items()}, **event_time}, notes
