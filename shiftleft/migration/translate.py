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

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.errors import InputError
from shiftleft.migration.model_checks import check_model
from shiftleft.models import Diagnostic, Mode, Severity, Target
from shiftleft.parse import parse_script
from shiftleft.pipeline import transpile
from shiftleft.rewrite.context import RuleContext
from shiftleft.derive import Relation
from shiftleft.streaming.catalog import ScriptCatalog, with_relations, written_relation
from shiftleft.streaming.changelog import Changelog, ChangelogMode, analyze
from shiftleft.streaming.options import StreamingOptions
from shiftleft.streaming.sink import SinkOptions, _quote, flink_type, output_columns, sink_ddl

from shiftleft.migration.codes import (
    EVENT_TIME_ID,
    KEY_ID,
    READ_ID,
    SEED_ID,
    SNAPSHOT_ID,
    TYPE_ID,
)

TIME_TYPE = "TIMESTAMP(3)"


class NodeJob(BaseModel):
    """Everything needed to translate one node; picklable, for worker processes."""

    name: str
    resource_type: str
    materialized: str
    sql: str = ""
    read: str
    target: Target
    mode: Mode
    #: parents' columns, ``{table: {column: TYPE in the read dialect}}``
    parent_schema: dict[str, dict[str, str]] = Field(default_factory=dict)
    #: parents' event-time columns, ``{table: column}``
    event_time: dict[str, str] = Field(default_factory=dict)
    #: parents' derived streaming relations (mode, keys, time attributes), ``{table: ...}``
    parent_relations: dict[str, Relation] = Field(default_factory=dict)
    declared_types: dict[str, str] = Field(default_factory=dict)  #: column -> Flink type
    declared_key: list[str] = Field(default_factory=list)
    key_origin: str = ""
    incremental_column: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    seed_path: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)  #: transpile() options (rules, llm...)
    sink: SinkOptions = Field(default_factory=SinkOptions)


class NodeOutcome(BaseModel):
    ddl: str | None = None
    dml: str | None = None
    changelog: str | None = None
    primary_key: list[str] = Field(default_factory=list)
    stateful: bool = False
    event_time: str | None = None
    columns: list[tuple[str, str]] = Field(default_factory=list)  #: (name, Flink type)
    relation: Relation | None = None  #: what readers of the table get (mode, keys, time)
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    rules_applied: list[str] = Field(default_factory=list)
    used_llm: bool = False
    failed: bool = False


def _note(
    rule_id: str, severity: Severity, message: str, suggestion: str | None = None, **kw: Any
) -> Diagnostic:
    return Diagnostic(
        rule_id=rule_id, severity=severity, message=message, suggestion=suggestion, **kw
    )


@lru_cache(maxsize=4096)
def read_type(flink_text: str, read: str) -> str:
    """A Flink type in the ``read`` dialect's spelling (for ``transpile(schema=...)``), one that
    reads back as the same Flink type: Spark's plain TIMESTAMP is Flink's TIMESTAMP_LTZ, so a
    Flink TIMESTAMP(p) is spelled TIMESTAMP_NTZ(p) there."""
    try:
        kind = exp.DataType.build(flink_text, dialect="flink")
        text = kind.sql(read)
        if kind.this is exp.DataType.Type.TIMESTAMP and flink_type(text, read) != kind.sql("flink"):
            ntz = exp.DataType(this=exp.DataType.Type.TIMESTAMPNTZ, expressions=kind.expressions)
            back = flink_type(ntz.sql(read), read)
            spelled = f"TIMESTAMP_NTZ({kind.expressions[0].sql(read)})" if kind.expressions else ""
            if spelled and flink_type(spelled, read) == kind.sql("flink"):
                return spelled  # keeps the precision: a sink key typed otherwise loses its key
            if back is not None and exp.DataType.build(back, dialect="flink").this is kind.this:
                return ntz.sql(read)  # a timestamp without time zone (its precision may go)
        return text
    except Exception:  # noqa: BLE001 - keep it as is
        return flink_text


def translate(job: NodeJob) -> NodeOutcome:
    """Translate one node (a worker-process entry point)."""
    if job.resource_type == "seed":
        return _seed(job)
    return _query_model(job)


def _stateful(tree: exp.Expr) -> bool:
    """True when the job keeps state: aggregates, joins, OVER windows, DISTINCT, dedup."""
    return any(isinstance(n, (exp.Group, exp.Join, exp.Window, exp.Distinct)) for n in tree.walk())


def _query_model(job: NodeJob) -> NodeOutcome:
    out = NodeOutcome()
    try:
        result = transpile(
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
            _note(
                READ_ID,
                Severity.ERROR,
                f"the rendered SQL cannot be read: {e.message}",
                e.hint or "check the model's SQL (the rendered SQL is in the report)",
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
            _note(
                READ_ID,
                Severity.ERROR,
                f"a model must render to one SELECT; this one has {len(queries)} statements",
            )
        )
        return out
    try:
        tree = parse_script(queries[0].sql, "flink")[0].tree
    except (InputError, IndexError):
        out.failed = True
        out.diagnostics.append(
            _note(READ_ID, Severity.ERROR, "the translation could not be read back as Flink SQL")
        )
        return out
    if not isinstance(tree, exp.Query):
        out.failed = True
        out.diagnostics.append(
            _note(
                READ_ID, Severity.ERROR, f"a model must render to a SELECT, not {tree.key.upper()}"
            )
        )
        return out

    notes, failed = check_model(tree, job.parent_schema, job.read, out.diagnostics)
    out.diagnostics, out.failed = notes, out.failed or failed
    ctx = RuleContext(
        target=job.target,
        mode=job.mode,
        read=job.read,
        statement=1,
        schema=job.parent_schema,
        event_time=job.event_time,
        streaming=job.options.get("streaming") or StreamingOptions(),
    )
    # `changelog` becomes the table's; `emitted` stays what the query emits
    catalog = ScriptCatalog(job.event_time, job.parent_schema)  # sources: their event time
    catalog.relations.update(job.parent_relations)
    emitted = changelog = analyze(tree, catalog.relations, prefer=job.declared_key or None)
    out.stateful = _stateful(tree)
    inferred = output_columns(tree, ctx)
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
                _note(
                    TYPE_ID,
                    Severity.WARNING,
                    f"the type of column {name} is not known; the table declares it STRING",
                    "declare the column's data_type in the model's properties .yml",
                )
            )
        if declared and declared != kind:
            casts[name] = declared
        columns.append((name, declared or str(kind)))
    names = {c.lower(): c for c, _ in columns}

    if job.materialized == "view":
        out.ddl = f"CREATE VIEW {_quote(job.name)} AS\n{tree.sql('flink', pretty=True)}"
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
    conflict = bool(key) and not same_key(tree, key, emitted.key)
    query_types = {n: t for n, t in inferred if t}
    for k in key if not conflict else []:  # a CAST of a key column drops Flink's upsert key
        if casts.pop(k, None) is not None and k in query_types:
            columns = [(c, query_types[k] if c == k else t) for c, t in columns]
    out.changelog = changelog.mode.value
    out.primary_key = list(changelog.key)

    time_column = _event_time(job, tree, names, out, updating=emitted.updating)
    extra: list[tuple[str, str, str]] = []  # (name, Flink type, expression) appended by the DML
    if job.resource_type == "snapshot":
        updated_at = job.config.get("updated_at")
        if updated_at and str(updated_at).lower() in names:
            extra.append(
                (
                    "dbt_valid_from",
                    TIME_TYPE,
                    f"CAST({_quote(names[str(updated_at).lower()])} AS {TIME_TYPE})",
                )
            )
            extra.append(("dbt_valid_to", TIME_TYPE, f"CAST(NULL AS {TIME_TYPE})"))
        else:  # the check strategy: no column says when a version began, the run time does
            extra.append(("dbt_valid_from", TIME_TYPE, f"CAST(CURRENT_TIMESTAMP AS {TIME_TYPE})"))
            extra.append(("dbt_valid_to", TIME_TYPE, f"CAST(NULL AS {TIME_TYPE})"))
            out.diagnostics.append(
                _note(
                    SNAPSHOT_ID,
                    Severity.WARNING,
                    "snapshot with the check strategy: no column tells when a version began, so "
                    "dbt_valid_from is the time the pipeline sees the change (as dbt uses the run "
                    "time); it is not an event time, and a temporal join needs one",
                    "give the snapshot an updated_at column (timestamp strategy) to join it "
                    "FOR SYSTEM_TIME AS OF",
                )
            )
        out.diagnostics.append(
            _note(
                SNAPSHOT_ID,
                Severity.INFO,
                f"snapshot as a versioned table keyed on {', '.join(key) or '(no key)'}: its changelog keeps every "
                "version; join it FOR SYSTEM_TIME AS OF an event time for the version valid then "
                "(dbt_valid_to is NULL on the current version)",
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
    query_sql = tree.sql("flink", pretty=True)
    if extra or casts:
        items = [
            f"CAST({_quote(c)} AS {casts[c]}) AS {_quote(c)}" if c in casts else _quote(c)
            for c, _ in columns
        ] + [f"{e} AS {_quote(n)}" for n, _, e in extra]
        listed = ",\n  ".join(items)
        query_sql = f"SELECT\n  {listed}\nFROM (\n{query_sql}\n) AS {_quote(job.name + '_query')}"
    out.dml = f"INSERT INTO {_quote(job.name)}\n{query_sql}"
    if conflict:
        out.dml += "\nON CONFLICT DO DEDUPLICATE"
        out.diagnostics.append(
            _note(
                KEY_ID,
                Severity.INFO,
                f"rows are upserted by {', '.join(key)} ({job.key_origin}), which the query "
                "does not update by: ON CONFLICT DO DEDUPLICATE keeps the latest row per key, as dbt's unique_key does",
            )
        )
    out.event_time = time_column
    out.relation = written_relation([c for c, _ in out.columns], changelog, time_column)
    return out


def same_key(tree: exp.Expr, a: list[str], b: list[str]) -> bool:
    """True when output columns ``a`` and ``b`` project the same expressions (``customer_id``
    and ``customer_id AS id`` are the same key)."""
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    source: dict[str, str] = {}
    for projection in select.expressions if select is not None else []:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        text = inner.name.lower() if isinstance(inner, exp.Column) else inner.sql("flink")
        source[projection.alias_or_name.lower()] = text
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
            _note(
                KEY_ID,
                Severity.ERROR,
                f"the key {', '.join(missing)} ({job.key_origin}) is not an output column",
                "select the key column in the model",
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
            _note(
                KEY_ID,
                Severity.WARNING,
                f"the query updates rows by ({', '.join(changelog.key)}) but the table is keyed on "
                f"({', '.join(declared)}) ({job.key_origin}); Flink adds a materializing step keeping state",
                "declare the key the query groups or partitions by",
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
                _note(
                    KEY_ID,
                    Severity.WARNING,
                    f"the dbt model {what}, but in a stream its query updates rows ({changelog.reason}); "
                    "the table takes those updates",
                    "declare a unique_key (the table becomes an upsert table keyed on it)",
                )
            )
        else:
            out.diagnostics.append(
                _note(
                    KEY_ID,
                    Severity.INFO,
                    f"the dbt model {what}: in a stream every new row is appended",
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
                _note(
                    EVENT_TIME_ID,
                    Severity.INFO,
                    f"event time {name} ({why}): declared TIMESTAMP(3) with a watermark",
                )
            )
            return name
    return None


# -- seeds ------------------------------------------------------------------------------------

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _infer_type(values: list[str]) -> str:
    present = [v for v in values if v != ""]
    if not present:
        return "STRING"
    if all(_INT.match(v) for v in present):
        return "INT" if all(abs(int(v)) < 2**31 for v in present) else "BIGINT"
    if all(_FLOAT.match(v) for v in present):
        return "DOUBLE"
    if all(v.lower() in ("true", "false") for v in present):
        return "BOOLEAN"
    if all(_DATE.match(v) for v in present):
        return "DATE"
    if all(_TIMESTAMP.match(v) for v in present):
        return TIME_TYPE
    return "STRING"


def seed_columns(
    path: Path, column_types: dict[str, str], read: str
) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """(name, Flink type) of a seed's columns and its rows (declared types win over inference)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows:
        return [], []
    header, body = rows[0], rows[1:]
    declared = {k.lower(): v for k, v in column_types.items()}
    columns = []
    for i, name in enumerate(header):
        given = declared.get(name.lower())
        kind = flink_type(given, read) if given else None
        columns.append((name, kind or _infer_type([r[i] if i < len(r) else "" for r in body])))
    return columns, body


def _literal(value: str, kind: str) -> str:
    if value == "":
        return f"CAST(NULL AS {kind})"
    text = exp.Literal.string(value).sql("flink")
    return text if kind.upper() in ("STRING", "VARCHAR") else f"CAST({text} AS {kind})"


def _seed(job: NodeJob) -> NodeOutcome:
    out = NodeOutcome(changelog="append")
    path = Path(job.seed_path or "")
    try:
        columns, rows = seed_columns(path, dict(job.config.get("column_types") or {}), job.read)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        out.failed = True
        out.diagnostics.append(
            _note(SEED_ID, Severity.ERROR, f"cannot read seed file {path.name}: {e}")
        )
        return out
    columns = [(n, job.declared_types.get(n.lower(), t)) for n, t in columns]
    names = {c.lower(): c for c, _ in columns}
    key = [names[k.lower()] for k in job.declared_key if k.lower() in names]
    changelog = (
        Changelog(mode=ChangelogMode.UPSERT, key=key, reason=job.key_origin)
        if key
        else Changelog(mode=ChangelogMode.APPEND, reason="seed rows")
    )
    time_column = names.get((job.incremental_column or "").lower())
    if time_column:
        columns = [(c, TIME_TYPE if c == time_column else t) for c, t in columns]
        out.diagnostics.append(
            _note(
                EVENT_TIME_ID,
                Severity.INFO,
                f"event time {time_column} (the loaded_at_field of the source "
                "reading this seed): declared TIMESTAMP(3) with a watermark",
            )
        )
    out.columns = columns
    out.changelog = changelog.mode.value
    out.primary_key = key
    out.event_time = time_column
    out.ddl = sink_ddl(
        job.name, columns, changelog, job.target, job.sink, watermark=time_column, readable=True
    )
    if not rows:
        out.diagnostics.append(_note(SEED_ID, Severity.WARNING, f"seed {job.name} has no rows"))
        return out
    values = ",\n  ".join(
        "("
        + ", ".join(
            _literal(row[i] if i < len(row) else "", kind) for i, (_, kind) in enumerate(columns)
        )
        + ")"
        for row in rows
    )
    out.dml = f"INSERT INTO {_quote(job.name)} VALUES\n  {values}" + (
        "\nON CONFLICT DO DEDUPLICATE" if key else ""
    )
    out.diagnostics.append(
        _note(
            SEED_ID,
            Severity.INFO,
            f"seed loaded by a bounded job: {len(rows)} rows written with INSERT ... VALUES",
        )
    )
    return out
