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

from pydantic import BaseModel
from sqlglot import exp

from shiftleft.dialects import build
from shiftleft.models import Severity, Target
from shiftleft.rewrite.context import RuleContext
from shiftleft.streaming.catalog import ScriptCatalog, written_relation
from shiftleft.streaming.changelog import Changelog, ChangelogMode, changelog_of
from shiftleft.streaming.typed_query import output_columns

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
