"""One dbt node to Flink statements: the DDL of its table and the DML that fills it.

Materializations map to Flink as follows (see ``../shared`` notes and the README):

* ``table`` / ``incremental``: a sink table that accepts what the query emits (append-only,
  or upsert on a key) + ``INSERT INTO``; ``unique_key``, ``primary_key`` constraints and
  ``unique`` + ``not_null`` tests give the primary key;
* ``view``: ``CREATE VIEW``;
* ``ephemeral``: nothing of its own; inlined as a CTE into the models that read it;
* ``snapshot``: a *versioned table* (primary key = ``unique_key``, watermark on
  ``updated_at``) that temporal joins read ``FOR SYSTEM_TIME AS OF``;
* ``seed``: a table filled once by ``INSERT INTO ... VALUES`` with the CSV rows.

Event time: a column that carries a parent's event time straight through (or the column of the
model's ``is_incremental()`` filter) becomes the table's ``WATERMARK`` column, so that
downstream jobs can window and join on it.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from shiftleft.dialects import build
from shiftleft.errors import InputError
from shiftleft.migration.model_checks import check_model
from shiftleft.models import Diagnostic, Severity
from shiftleft.parse import parse_script
from shiftleft.pipeline import transpile_model
from shiftleft.rewrite.context import TEXT_TYPES, RuleContext
from shiftleft.rewrite.string_decimal import read_string_exactly
from shiftleft.sqlglot_objects import data_type
from shiftleft.streaming.catalog import ScriptCatalog, with_relations, written_relation
from shiftleft.streaming.changelog import Changelog, ChangelogMode, analyze
from shiftleft.streaming.options import StreamingOptions
from shiftleft.streaming.sink import sink_ddl
from shiftleft.streaming.typed_query import TypedQuery, output_columns
from shiftleft.tree import find_all

from shiftleft.migration.codes import (
    EVENT_TIME_ID,
    KEY_ID,
    READ_ID,
    SNAPSHOT_ID,
    TYPE_ID,
)
from shiftleft.migration.node_job import (
    TIME_TYPE as TIME_TYPE,
    NodeJob as NodeJob,
    NodeOutcome as NodeOutcome,
    read_type as read_type,
)
from shiftleft.migration.seeds import _seed, seed_columns as seed_columns


def translate(job: NodeJob) -> NodeOutcome:
    """Translate one node (a worker-process entry point)."""
    if job.resource_type == "seed":
        return _seed(job)
    return _query_model(job)


def _stateful(tree: exp.Expr) -> bool:
    """True when the job keeps state: aggregates, joins, OVER windows, DISTINCT, dedup."""
    return tree.find(exp.Group, exp.Join, exp.Window, exp.Distinct) is not None


def _databricks_hint(job: NodeJob) -> str | None:
    """When Spark's reader fails on SQL that Databricks' reads (``col:path`` JSON access, which
    dbt packages write for dbt-spark on Databricks), say so; None otherwise."""
    if job.read != "spark":
        return None
    try:
        sqlglot.parse(job.sql, read="databricks")
    except sqlglot.errors.SqlglotError:
        return None
    return "the model is Databricks SQL (e.g. col:path JSON access): migrate with --read databricks"


def _query_model(job: NodeJob) -> NodeOutcome:
    out = NodeOutcome()
    try:
        result = transpile_model(  # its outputs' changelogs: derived below, with the model's key
            job.sql,
            read=job.read,
            target=job.target,
            mode=job.mode,
            schema=job.parent_schema,
            event_time=job.event_time,
            **with_relations(job.options, job.parent_relations),
        )
    except InputError as e:
        out.failed = True
        out.diagnostics.append(
            Diagnostic.of(
                READ_ID,
                f"the rendered SQL cannot be read: {e.message}",
                suggestion=_databricks_hint(job) or e.hint or "check the model's SQL (the rendered SQL is in the report)",
                line=e.line,
                column=e.column,
            )
        )
        return out
    out.diagnostics += result.diagnostics
    out.rules_applied = result.rules_applied
    out.used_llm = any(d.rule_id == "SL9101" for d in result.diagnostics)  # translated by the LLM
    queries = [s for s in result.statements if s.sql.strip()]
    if len(queries) != 1:
        out.failed = True
        out.diagnostics.append(
            Diagnostic.of(
                READ_ID,
                f"a model must render to one SELECT; this one has {len(queries)} statements",
            )
        )
        return out
    # read back, not the pipeline's final tree: that tree keeps nodes of the read dialect,
    # which type differently (mattermost: STRING columns typed INT, COALESCE(JSON_VALUE...)
    # no longer STRING), and comments attached elsewhere: 74 files of mattermost changed
    try:
        tree = parse_script(queries[0].sql, "flink")[0].tree
    except (InputError, IndexError) as exc:
        out.failed = True
        said = "no statement" if isinstance(exc, IndexError) else str(exc).splitlines()[0]
        out.diagnostics.append(
            Diagnostic.of(
                READ_ID,
                f"the translation could not be read back as Flink SQL ({said}):"
                " shiftleft wrote SQL it cannot read, a gap of its own: please report it",
            )
        )
        return out
    if not isinstance(tree, exp.Query):
        out.failed = True
        out.diagnostics.append(
            Diagnostic.of(READ_ID, f"a model must render to a SELECT, not {tree.key.upper()}")
        )
        return out

    ctx = RuleContext(
        target=job.target,
        mode=job.mode,
        read=job.read,
        statement=1,
        schema=job.parent_schema,
        event_time=job.event_time,
        streaming=job.options.get("streaming") or StreamingOptions(),
    )
    typed: list[TypedQuery] = []  # the query qualified and typed once, after check_model's edit

    def typing() -> TypedQuery:
        if not typed:
            typed.append(TypedQuery(tree, ctx, validate=True))
        return typed[0]

    notes, failed = check_model(
        tree, job.parent_schema, job.read, out.diagnostics, typing, job.broken_parents
    )
    out.diagnostics, out.failed = notes, out.failed or failed
    # `changelog` becomes the table's; `emitted` stays what the query emits
    catalog = ScriptCatalog(job.event_time, job.parent_schema)  # sources: their event time
    catalog.relations.update(job.parent_relations)
    emitted = changelog = analyze(tree, catalog.relations, prefer=job.declared_key or None)
    out.stateful = _stateful(tree)
    inferred = output_columns(tree, ctx, typed=typing())
    columns: list[tuple[str, str]] = []
    casts: dict[str, str] = {}  # column -> type the DML casts it to (declared or unknown types)
    for name, kind in inferred:
        declared = job.declared_types.get(name.lower())
        if kind is None and not declared:
            declared = "STRING"
            if job.materialized == "view":  # a view declares no types: nothing to warn about
                columns.append((name, declared))
                continue
            out.diagnostics.append(
                Diagnostic.of(
                    TYPE_ID,
                    f"the type of column {name} is not known; the table declares it STRING",
                    severity=Severity.WARNING,
                    suggestion="declare the column's data_type in the model's properties .yml",
                )
            )
        if declared and declared != kind:
            casts[name] = declared
        columns.append((name, declared or str(kind)))
    names = {c.lower(): c for c, _ in columns}

    if job.materialized == "view":
        out.ddl = build.to_sql(build.create_view(job.name, tree))
        out.changelog = changelog.mode.value
        out.primary_key = changelog.key
        out.columns = columns
        out.relation = emitted.relation
        if not changelog.updating:  # a view passes its parent's time attribute through
            for _table, column in sorted(job.event_time.items()):
                out.event_time = out.event_time or _passthrough(tree, column)
        return out

    key = _key(job, tree, changelog, names, out)
    if key:
        changelog = Changelog(
            mode=ChangelogMode.UPSERT, key=key, reason=job.key_origin or changelog.reason
        )
    elif changelog.mode is ChangelogMode.UPSERT:  # updates without a key in the output
        changelog = Changelog(mode=ChangelogMode.RETRACT, reason=changelog.reason)
    # a key that is not the one the query updates by: the latest row per key wins (dbt's
    # unique_key semantics); Flink 2.3 asks for that policy explicitly
    conflict = bool(key) and (not same_key(tree, key, emitted.key) or coerced_join(typing()))
    query_types = {n: t for n, t in inferred if t}
    for k in key if not conflict else []:  # a CAST of a key column drops Flink's upsert key
        if casts.pop(k, None) is not None and k in query_types:
            columns = [(c, query_types[k] if c == k else t) for c, t in columns]
    out.changelog = changelog.mode.value
    out.primary_key = list(changelog.key)

    time_column = _event_time(job, tree, names, out, updating=emitted.updating)
    extra: list[tuple[str, str, exp.Expr]] = []  # (name, Flink type, expression) the DML adds
    if job.resource_type == "snapshot":
        updated_at = job.config.get("updated_at")
        if updated_at and str(updated_at).lower() in names:
            extra.append(
                (
                    "dbt_valid_from",
                    TIME_TYPE,
                    build.cast(build.column(names[str(updated_at).lower()]), TIME_TYPE),
                )
            )
            extra.append(("dbt_valid_to", TIME_TYPE, build.cast(exp.null(), TIME_TYPE)))
        else:  # the check strategy: no column says when a version began, the run time does
            now = exp.CurrentTimestamp()
            extra.append(("dbt_valid_from", TIME_TYPE, build.cast(now, TIME_TYPE)))
            extra.append(("dbt_valid_to", TIME_TYPE, build.cast(exp.null(), TIME_TYPE)))
            out.diagnostics.append(
                Diagnostic.of(
                    SNAPSHOT_ID,
                    "snapshot with the check strategy: no column tells when a version began, so "
                    "dbt_valid_from is the time the pipeline sees the change (as dbt uses the run "
                    "time); it is not an event time, and a temporal join needs one",
                    severity=Severity.WARNING,
                    suggestion="give the snapshot an updated_at column (timestamp strategy) to join it "
                    "FOR SYSTEM_TIME AS OF",
                )
            )
        out.diagnostics.append(
            Diagnostic.of(
                SNAPSHOT_ID,
                f"snapshot as a versioned table keyed on {', '.join(key) or '(no key)'}: its changelog keeps every "
                "version; join it FOR SYSTEM_TIME AS OF an event time for the version valid then "
                "(dbt_valid_to is NULL on the current version)",
                severity=Severity.INFO,
            )
        )
    if time_column:
        columns = [(c, TIME_TYPE if c == time_column else t) for c, t in columns]
        if dict(inferred).get(time_column) != TIME_TYPE:
            casts[time_column] = TIME_TYPE
    out.columns = columns + [(n, t) for n, t, _ in extra]
    out.ddl = sink_ddl(
        job.name, out.columns, changelog, job.target, job.sink, watermark=time_column, readable=True
    )
    sink_casts: dict[str, exp.Expr] = {c: _sink_cast(c, kind, query_types.get(c)) for c, kind in casts.items()}
    out.dml = build.to_sql(_insert(job.name, tree, columns, sink_casts, extra, conflict=conflict))
    if conflict:
        out.diagnostics.append(
            Diagnostic.of(
                KEY_ID,
                f"rows are upserted by {', '.join(key)} ({job.key_origin}), which the query "
                "does not update by: ON CONFLICT DO DEDUPLICATE keeps the latest row per key, as dbt's unique_key does",
                severity=Severity.INFO,
            )
        )
    out.event_time = time_column
    out.relation = written_relation([c for c, _ in out.columns], changelog, time_column)
    return out


def _insert(
    name: str,
    query: exp.Expr,
    columns: list[tuple[str, str]],
    casts: dict[str, exp.Expr],
    extra: list[tuple[str, str, exp.Expr]],
    *,
    conflict: bool,
) -> exp.Insert:
    """``INSERT INTO name query``; when columns are cast (``casts``: column -> its cast) or
    added (snapshots), the query is wrapped in ``SELECT CAST(c AS t) AS c, ..., e AS n FROM
    (query) AS name_query``; ``conflict``: ``ON CONFLICT DO DEDUPLICATE`` (the latest row per
    key wins)."""
    if extra or casts:
        items: list[exp.Expr] = [
            exp.Alias(this=casts[c], alias=build.identifier(c))
            if c in casts
            else build.column(c)
            for c, _ in columns
        ]
        items += [exp.Alias(this=e, alias=build.identifier(n)) for n, _, e in extra]
        inner = exp.Subquery(
            this=query, alias=exp.TableAlias(this=build.identifier(f"{name}_query"))
        )
        query = exp.Select(expressions=items, from_=exp.From(this=inner))
    return build.insert(name, query, deduplicate=conflict)


def _sink_cast(column: str, sink_type: str, query_type: str | None) -> exp.Cast:
    """``CAST(column AS sink_type)``; a value that may be a string (``query_type``: the query
    column's Flink type, None when not known) is read into a narrow DECIMAL exactly (see
    :mod:`shiftleft.rewrite.string_decimal`)."""
    cast = build.cast(build.column(column), sink_type)
    source = None
    if query_type is not None:
        try:
            source = data_type(query_type, dialect="flink")
        except Exception:  # noqa: BLE001 - an unreadable type is a type not known
            source = None
    read_string_exactly(cast, source)
    return cast


_UNTYPED = frozenset({exp.DType.UNKNOWN, exp.DType.NULL})


def coerced_join(typed: TypedQuery) -> bool:
    """Whether a join of the query compares columns of two types (``a.id = b.id``, INT with
    DECIMAL(28, 6)): Flink casts one side, the cast column no longer carries that input's
    unique key, and the join's upsert key is lost where the derivation (which knows no types)
    keeps it; the INSERT is then rejected ("The query has an upsert key that differs from the
    primary key of the sink table"), so it upserts with ON CONFLICT like any other key."""
    if typed.qualify_error is not None or typed.annotate_error is not None:
        return False
    for join in find_all(typed.tree, exp.Join):
        on = join.args.get("on")
        for eq in find_all(on, exp.EQ) if isinstance(on, exp.Expr) else []:
            if not isinstance(eq.this, exp.Column) or not isinstance(eq.expression, exp.Column):
                continue
            a, b = eq.this.type, eq.expression.type
            if a is None or b is None or a.this in _UNTYPED or b.this in _UNTYPED:
                continue
            if not (a.this in TEXT_TYPES and b.this in TEXT_TYPES) and a != b:  # any text is STRING to Flink
                return True
    return False


def same_key(tree: exp.Expr, a: list[str], b: list[str]) -> bool:
    """True when output columns ``a`` and ``b`` project the same expressions (``customer_id``
    and ``customer_id AS id`` are the same key)."""
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    wanted = {k.lower() for k in (*a, *b)}  # only these projections are printed
    source: dict[str, str] = {}
    for projection in select.expressions if select is not None else []:
        name = projection.alias_or_name.lower()
        if name not in wanted:
            continue
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        text = inner.name.lower() if isinstance(inner, exp.Column) else build.to_sql(inner, pretty=False)
        source[name] = text
    return {source.get(k.lower(), k.lower()) for k in a} == {
        source.get(k.lower(), k.lower()) for k in b
    }


def _key(
    job: NodeJob, tree: exp.Expr, changelog: Changelog, names: dict[str, str], out: NodeOutcome
) -> list[str]:
    declared = [names.get(k.lower(), k) for k in job.declared_key]
    missing = [k for k in declared if k.lower() not in names]
    if missing:
        out.diagnostics.append(
            Diagnostic.of(
                KEY_ID,
                f"the key {', '.join(missing)} ({job.key_origin}) is not an output column",
                severity=Severity.ERROR,
                suggestion="select the key column in the model",
            )
        )
        declared = []
    if (
        declared
        and changelog.updating
        and changelog.key
        and not same_key(tree, declared, changelog.key)
    ):
        out.diagnostics.append(
            Diagnostic.of(
                KEY_ID,
                f"the query updates rows by ({', '.join(changelog.key)}) but the table is keyed on "
                f"({', '.join(declared)}) ({job.key_origin}); Flink adds a materializing step keeping state",
                severity=Severity.WARNING,
                suggestion="declare the key the query groups or partitions by",
            )
        )
    strategy = str(job.config.get("incremental_strategy") or "")
    if (
        job.materialized == "incremental"
        and not declared
        and strategy in ("append", "insert_overwrite", "")
    ):
        what = {
            "append": "appends new rows",
            "insert_overwrite": "replaces whole partitions",
            "": "appends new rows (no unique_key)",
        }[strategy]
        if changelog.updating:
            out.diagnostics.append(
                Diagnostic.of(
                    KEY_ID,
                    f"the dbt model {what}, but in a stream its query updates rows ({changelog.reason}); "
                    "the table takes those updates",
                    severity=Severity.WARNING,
                    suggestion="declare a unique_key (the table becomes an upsert table keyed on it)",
                )
            )
        else:
            out.diagnostics.append(
                Diagnostic.of(
                    KEY_ID,
                    f"the dbt model {what}: in a stream every new row is appended",
                    severity=Severity.INFO,
                )
            )
    return declared or (list(changelog.key) if changelog.mode is ChangelogMode.UPSERT else [])


def _passthrough(tree: exp.Query, column: str) -> str | None:
    """The output name of ``column`` when the query projects it unchanged."""
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    if select is None or select.args.get("group") is not None:
        return None
    for projection in select.expressions:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(inner, exp.Column) and inner.name.lower() == column.lower():
            return projection.alias_or_name
        if isinstance(inner, exp.Star):
            return column
    return None


def _event_time(
    job: NodeJob, tree: exp.Query, names: dict[str, str], out: NodeOutcome, *, updating: bool
) -> str | None:
    """The table's event-time column: the snapshot's updated_at, the incremental filter's
    column, or a parent's event time projected unchanged (when the query, ``updating`` or
    not, is append-only)."""
    candidates: list[tuple[str, str]] = []
    if (
        job.resource_type == "snapshot"
        and job.config.get("strategy", "timestamp") == "timestamp"
        and job.config.get("updated_at")
    ):
        candidates.append((str(job.config["updated_at"]), "the snapshot's updated_at"))
    if job.incremental_column:
        candidates.append((job.incremental_column, "the column of the is_incremental() filter"))
    if not updating:
        for table, column in sorted(job.event_time.items()):
            found = _passthrough(tree, column)
            if found:
                candidates.append((found, f"the event time of {table}, projected unchanged"))
    for column, why in candidates:
        if column.lower() in names:
            name = names[column.lower()]
            out.diagnostics.append(
                Diagnostic.of(
                    EVENT_TIME_ID,
                    f"event time {name} ({why}): declared TIMESTAMP(3) with a watermark",
                    severity=Severity.INFO,
                )
            )
            return name
    return None
