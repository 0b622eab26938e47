"""Write the sink table a streaming query needs, from the query's changelog.

A streaming job writes into a table that must accept what the query emits: an append-only
topic for append-only results, an upsert table keyed on the query's unique key for updating
results.  Getting this wrong is the most common reason a translated pipeline is rejected
("doesn't support consuming update changes").  Given the target:

* open-source Flink: ``kafka`` + ``json`` for append; ``upsert-kafka`` with
  ``PRIMARY KEY (k) NOT ENFORCED`` for upserts; ``kafka`` + ``debezium-json`` for updates
  without a key in the output;
* Confluent Cloud: ``PRIMARY KEY (k) NOT ENFORCED``, ``DISTRIBUTED BY HASH(k) INTO n BUCKETS``,
  ``'changelog.mode'`` = append | upsert | retract and ``'value.format'`` (``avro-registry``).

Column types come from the query with the user's ``schema=`` (sqlglot's type annotation);
a type that cannot be known becomes STRING, with a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from pydantic import BaseModel
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.qualify_columns import validate_qualify_columns
from sqlglot.dialects.dialect import Dialect, DialectType
from sqlglot.schema import MappingSchema

from shiftleft.dialects import build
from shiftleft.dialects.flink_parser import TableArgument
from shiftleft.models import Severity, Target
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.catalog import ScriptCatalog, written_relation
from shiftleft.streaming.changelog import WINDOW_TVFS, Changelog, ChangelogMode, changelog_of

SINK_ID = "SL4101"
UNKNOWN_TYPE_ID = "SL4102"
MERGE_ID = "SL4103"
EXISTING_SINK_ID = "SL4104"
STATE_ID = "SL4107"

#: operators whose state grows with the number of keys (regular joins have SL4009)
_UNBOUNDED = ("aggregation", "Top-N", "state", "anti join", "semi join")


class SinkOptions(BaseModel):
    """How to write sink tables (``transpile(..., sink=SinkOptions(...))``)."""

    #: name of the sink table for a script's query (None: only INSERT OVERWRITE / CTAS targets)
    name: str | None = None
    #: open-source Flink: Kafka bootstrap servers and formats
    bootstrap_servers: str = "localhost:9092"
    format: str = "json"
    #: Confluent Cloud: value format and bucket count
    confluent_value_format: str = "avro-registry"
    buckets: int = 6


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
        for count in copy.find_all(exp.Count):
            # Flink's COUNT is a BIGINT; the Flink reader marks it so, a COUNT a rule built
            # (count_if's) is not, and would be typed INT: a sink declared INT is rejected
            count.set("big_int", True)
        schema = _flink_schema(ctx)
        #: whether a window TVF was replaced by its table (the copy then differs from the query)
        self.windowed = False
        for tvf in list(copy.find_all(exp.Table)):
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
            if validate:
                try:
                    validate_qualify_columns(copy)
                except Exception as e:  # noqa: BLE001 - the caller judges it
                    self.validate_error = e
            try:
                annotate_types(copy, schema=typing_schema, dialect="flink")
            except Exception as e:  # noqa: BLE001 - fall back to names only
                self.annotate_error = e
        self.tree = copy


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


def target_table(statement: exp.Expr) -> exp.Table | None:
    """The table an INSERT or CREATE writes (``INSERT INTO t (cols)`` wraps it in a Schema)."""
    this = statement.this
    return this if isinstance(this, exp.Table) else this.find(exp.Table)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def sink_ddl(
    name: str,
    columns: list[tuple[str, str]],
    changelog: Changelog,
    target: Target,
    options: SinkOptions,
    *,
    watermark: str | None = None,
    readable: bool = False,
) -> str:
    """``CREATE TABLE`` text for a sink called ``name`` that accepts ``changelog``.

    ``watermark``: a TIMESTAMP(3) column of ``columns`` that readers of the table use as its
    event time (``WATERMARK FOR`` it, like a source table's).  ``readable``: other jobs read the
    table too (a pipeline's tables are topics read downstream): a ``kafka`` table then carries
    the options of a scan (consumer group, start offset)."""
    entries = build.column_defs(columns)
    key = [k for k in changelog.key if changelog.mode is ChangelogMode.UPSERT]
    if watermark:
        entries.append(build.watermark(watermark))
    if key:
        entries.append(build.primary_key(key))
    properties = _sink_properties(name, key, changelog, target, options, readable=readable)
    return build.to_sql(build.create_table(name, entries, properties))


def _sink_properties(
    name: str,
    key: list[str],
    changelog: Changelog,
    target: Target,
    options: SinkOptions,
    *,
    readable: bool,
) -> Sequence[exp.Expr]:
    """The connector of a sink: Confluent's distribution and changelog mode, or a Kafka
    topic (``upsert-kafka`` when keyed, ``debezium-json`` when updating without a key)."""
    if target is Target.CONFLUENT:
        settings = {
            "changelog.mode": changelog.mode.value,
            "value.format": options.confluent_value_format,
        }
        return [build.distribution(key, options.buckets), *build.options(settings)]
    kafka = {"topic": name, "properties.bootstrap.servers": options.bootstrap_servers}
    if key:
        connector = {
            "connector": "upsert-kafka",
            **kafka,
            "key.format": options.format,
            "value.format": options.format,
        }
    elif changelog.updating:
        connector = {"connector": "kafka", **kafka, "format": "debezium-json"}
    else:
        connector = {"connector": "kafka", **kafka, "format": options.format}
    if readable and connector["connector"] == "kafka":
        connector |= {"properties.group.id": "shiftleft", "scan.startup.mode": "earliest-offset"}
    return build.options(connector)


def _state_warning(changelog: Changelog, node: exp.Expr, ctx: RuleContext) -> None:
    """Warn once about operators whose state grows without bound (aggregations, Top-N,
    semi / anti joins; regular joins are SL4009's)."""
    relation = changelog.relation
    grows = [s for s in relation.state if any(u in s for u in _UNBOUNDED)] if relation else []
    if not grows or ctx.streaming.state_ttl:
        return
    ctx.report(
        node,
        f"the query keeps unbounded state ({', '.join(grows)}): it grows with every new key",
        severity=Severity.WARNING,
        suggestion="bound it with a state TTL: SET 'table.exec.state.ttl' = '1d' (or a "
        "/*+ STATE_TTL('t' = '1d') */ hint on the aggregation / join), or use a window TVF",
        rule_id=STATE_ID,
    )


def _synthesize(
    name: str,
    query: exp.Expr,
    node: exp.Expr,
    ctx: RuleContext,
    options: SinkOptions,
    key: list[str] | None = None,
    catalog: ScriptCatalog | None = None,
) -> tuple[str, exp.Insert]:
    catalog = catalog or ScriptCatalog(ctx.event_time, ctx.schema)
    changelog = changelog_of(catalog.derive(query))
    _state_warning(changelog, node, ctx)
    if key:  # a declared key (MERGE ... ON): the sink replaces rows by it
        changelog = Changelog(
            mode=ChangelogMode.UPSERT, key=key, reason=f"MERGE on {', '.join(key)}",
            relation=changelog.relation,
        )
    columns = []
    untyped: set[str] = set()
    for column, kind in output_columns(query, ctx, untyped):
        if kind is None and column in untyped:
            ctx.report(
                node,
                f"the type of output column {column} cannot be derived from its typed inputs; "
                "the sink declares it STRING, which the planner may refuse",
                severity=Severity.ERROR,
                suggestion="cast the expression to its type in the query, or fix the sink DDL",
                rule_id=UNKNOWN_TYPE_ID,
            )
            kind = "STRING"
        elif kind is None:
            ctx.report(
                node,
                f"the type of output column {column} is unknown; the sink declares it STRING",
                severity=Severity.WARNING,
                suggestion="declare the source column types with schema= (or --schema)",
                rule_id=UNKNOWN_TYPE_ID,
            )
            kind = "STRING"
        columns.append((column, kind))
    keyed = (
        f" keyed on {', '.join(changelog.key)}"
        if changelog.mode is ChangelogMode.UPSERT and changelog.key
        else ""
    )
    ctx.report(
        node,
        f"sink table {name} written for {_article(changelog.mode.value)} {changelog.mode.value} result{keyed} "
        f"({changelog.reason})",
        severity=Severity.INFO,
        rule_id=SINK_ID,
    )
    insert = exp.Insert(this=exp.to_table(name), expression=query.copy())
    catalog.written(name, written_relation([c for c, _ in columns], changelog))
    return sink_ddl(name, columns, changelog, ctx.target, options), insert


def _merge_as_upsert(
    tree: exp.Merge, ctx: RuleContext, options: SinkOptions, catalog: ScriptCatalog
) -> tuple[str, exp.Expr] | None:
    """``MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN
    INSERT *`` (dbt-spark's incremental merge) is an upsert of ``s`` into ``t`` keyed on ``k``:
    an upsert sink keyed on ``k`` fed by ``INSERT INTO t SELECT * FROM s`` does exactly that in
    a stream.  Other MERGE forms (conditions, deletes, partial updates) return None."""
    target = tree.this
    using = tree.args.get("using")
    whens = tree.args.get("whens")
    if not isinstance(target, exp.Table) or using is None or whens is None:
        return None
    actions = []
    for when in whens.expressions:
        then = when.args.get("then")
        if when.args.get("condition") is not None or when.args.get("source"):
            return None
        if (
            when.args.get("matched")
            and isinstance(then, exp.Update)
            and [type(e) for e in then.expressions] == [exp.Star]
        ):
            actions.append("update")
        elif (
            not when.args.get("matched")
            and isinstance(then, exp.Insert)
            and isinstance(then.this, exp.Star)
        ):
            actions.append("insert")
        else:
            return None
    if sorted(actions) != ["insert", "update"]:
        return None
    target_names = {target.alias_or_name.lower(), target.name.lower()}
    source_name = using.alias_or_name.lower()
    keys: list[str] = []
    condition = tree.args.get("on")
    if condition is None:
        return None
    parts = list(condition.flatten()) if isinstance(condition, exp.And) else [condition]
    for part in parts:
        if not isinstance(part, exp.EQ) or not all(
            isinstance(c, exp.Column) for c in (part.this, part.expression)
        ):
            return None
        sides = {
            part.this.table.lower(): part.this.name,
            part.expression.table.lower(): part.expression.name,
        }
        if source_name not in sides or not (target_names & set(sides)):
            return None
        keys.append(sides[source_name])
    source = (
        using.this.copy()
        if isinstance(using, exp.Subquery)
        else exp.select("*").from_(using.copy())
    )
    derived = catalog.derive(source)
    ddl, insert = _synthesize(target.name, source, tree, ctx, options, key=keys, catalog=catalog)
    if frozenset(k.lower() for k in keys) not in derived.keys:
        # the MERGE key is not the source's upsert key: the latest row per key wins, as in
        # the MERGE; Flink 2.3 asks for the conflict policy explicitly
        build.deduplicated(insert)
    return ddl, insert


def sink_statements(
    tree: exp.Expr,
    ctx: RuleContext,
    options: SinkOptions | None,
    catalog: ScriptCatalog | None = None,
) -> tuple[str, exp.Expr] | None:
    """(sink DDL, the statement to write it) replacing ``tree``, or None to keep ``tree``.

    * a query, when ``options.name`` is set: sink DDL + ``INSERT INTO name <query>``;
    * Spark ``INSERT OVERWRITE t ...`` and ``CREATE TABLE t AS SELECT`` (streaming): sink DDL
      for ``t`` + ``INSERT INTO t`` (a stream has no "overwrite": the upsert key replaces rows);
    * ``INSERT INTO t`` an existing table: kept, with a note on what ``t`` must accept;
    * ``MERGE INTO``: reported (an upsert sink keyed on the merge key is the Flink form).
    """
    options = options or SinkOptions()
    catalog = catalog or ScriptCatalog(ctx.event_time, ctx.schema)
    if isinstance(tree, exp.Merge):
        upsert = _merge_as_upsert(tree, ctx, options, catalog)
        if upsert is not None:
            return upsert
        ctx.report(
            tree,
            "MERGE INTO has no Flink streaming form",
            severity=Severity.ERROR,
            suggestion="write the source query into an upsert table keyed on the MERGE key "
            "(INSERT INTO an upsert-kafka / PRIMARY KEY table replaces rows by key); shiftleft "
            "does that itself for MERGE ... ON equal keys WHEN MATCHED THEN UPDATE SET * "
            "WHEN NOT MATCHED THEN INSERT *",
            rule_id=MERGE_ID,
        )
        return None
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Query):
        table = target_table(tree)
        assert table is not None  # an INSERT writes a table (or a Schema around one)
        name = table.name
        if tree.args.get("overwrite") and ctx.mode.value == "streaming":
            return _synthesize(name, tree.expression, tree, ctx, options, catalog=catalog)
        changelog = changelog_of(catalog.derive(tree.expression))
        if changelog.updating:
            key = (
                f" with PRIMARY KEY ({', '.join(changelog.key)}) NOT ENFORCED"
                if changelog.key
                else ""
            )
            ctx.report(
                tree,
                f"{name} receives {_article(changelog.mode.value)} {changelog.mode.value} stream "
                f"({changelog.reason}); it must be an "
                f"updating table{key}",
                severity=Severity.INFO,
                rule_id=EXISTING_SINK_ID,
            )
        return None
    if (
        isinstance(tree, exp.Create)
        and tree.kind == "TABLE"
        and isinstance(tree.expression, exp.Query)
        and ctx.mode.value == "streaming"
    ):
        table = target_table(tree)
        assert table is not None  # CREATE TABLE ... AS names its table
        return _synthesize(table.name, tree.expression, tree, ctx, options, catalog=catalog)
    if options.name and isinstance(tree, exp.Query):
        return _synthesize(options.name, tree, tree, ctx, options, catalog=catalog)
    return None
