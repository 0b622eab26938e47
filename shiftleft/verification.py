"""Verify a translation on the real engine: plan it in the embedded Flink 2.3, and reconcile
its rows against the source SQL run on DuckDB.

:func:`verify` (exported as ``shiftleft.verify``) does two things:

1. **Plan.**  Every statement of the translated script is planned in the embedded Flink
   (streaming or batch), with the real Kafka / upsert-kafka / JDBC connector jars when the
   script uses them.  Planner errors become diagnostics (``SLV001``) pointing at the
   statement, line and column of the translated script.
2. **Reconcile.**  Given input rows (CSV / Parquet seed files, Python rows, or rows generated
   from ``schema``), the *source* SQL runs on DuckDB (translated to DuckDB by sqlglot) and the
   translated SQL runs on Flink over the same rows.  Streaming changelogs are folded into
   final rows, values are normalized (decimals and floats within ``rel_tol``, NULL = NULL,
   timestamps in UTC) and a row-level diff reports missing, extra and mismatched rows with
   their keys (:mod:`shiftleft.reconcile`).  Differences are ``SLV003`` diagnostics.

Confluent Cloud → open-source Flink mapping, for planning and running (:func:`confluent_to_oss`)
---------------------------------------------------------------------------------------------

Confluent Cloud tables are Kafka topics with Confluent-only syntax; the embedded (OSS) Flink
cannot read that DDL, so each ``CREATE TABLE`` is rewritten into the nearest OSS definition
before planning.  Queries and INSERTs are not changed.

* ``DISTRIBUTED BY [HASH](k, ...) [INTO n BUCKETS]`` / ``DISTRIBUTED INTO n BUCKETS`` is
  removed (OSS Flink parses it but the Kafka connectors do not support bucketing).
* A table without ``'connector'`` becomes a Kafka topic named after the table
  (``'properties.bootstrap.servers' = 'localhost:9092'``; no broker is needed to plan):

  - ``'changelog.mode' = 'upsert'``, or no mode and a ``PRIMARY KEY`` (Confluent's default)
    → ``'connector' = 'upsert-kafka'``, ``'key.format' = 'json'``, ``'value.format' = 'json'``;
  - ``'changelog.mode' = 'retract'`` → ``'connector' = 'kafka'``,
    ``'format' = 'debezium-json'`` (a format that carries updates and deletes);
  - ``'changelog.mode' = 'append'``, or no mode and no key → ``'connector' = 'kafka'``,
    ``'format' = 'json'``.
* Confluent-only options are dropped: ``changelog.mode``, ``kafka.*``, ``key.format``,
  ``value.format`` (``avro-registry`` / ``json-registry`` / ``proto-registry``: OSS uses
  ``json``), ``key.fields-prefix``, ``value.fields-include``, ``scan.startup.mode``
  (re-set to ``earliest-offset`` for plain Kafka), ``connector`` = ``confluent``.
* ``$rowtime`` (Confluent's system column, the Kafka record timestamp, watermarked by
  default): when the script mentions ``$rowtime`` and the table does not declare it, the
  table gets ```$rowtime` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL`` and, unless it
  declares a watermark, ``WATERMARK FOR `$rowtime` AS `$rowtime```.

For reconciliation, tables that have seed rows keep their columns, computed columns,
watermark and primary key but read the seed file (``filesystem`` connector, JSON lines);
``METADATA`` columns become plain columns.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.errors import ConfigError, ShiftleftError
from shiftleft.flink_engine.planner import PlanReport
from shiftleft.models import Diagnostic, Severity, TranspileResult
from shiftleft.reconcile import RowDiff

log = logging.getLogger(__name__)

PLANNER_ERROR = "SLV001"
RUNTIME_ERROR = "SLV002"
ROWS_DIFFER = "SLV003"
SOURCE_ERROR = "SLV004"
NOT_RECONCILED = "SLV005"

Seeds = str | Path | Mapping[str, "str | Path | Sequence[Mapping[str, Any]]"]


# --------------------------------------------------------------------------------------------
# Report models
# --------------------------------------------------------------------------------------------


class StatementCheck(BaseModel):
    """The reconciliation of one statement (a query, or the query of an INSERT / CTAS)."""

    statement: int = Field(description="1-based statement index in the script")
    source: str = Field(description="the source query (input dialect)")
    flink_sql: str = Field(description="the translated query run on Flink")
    status: Literal["equal", "different", "error", "skipped"]
    reason: str | None = Field(default=None, description="why different / error / skipped")
    diff: RowDiff | None = Field(default=None, description="the row diff, when compared")
    expected_rows: int | None = None
    actual_rows: int | None = None


class VerifyReport(BaseModel):
    """What :func:`verify` found: plan results, reconciliation diffs, diagnostics."""

    read: str
    target: str
    mode: str
    translated_sql: str = Field(description="the translation that was verified")
    planned_sql: str = Field(description="what was planned (after the Confluent→OSS mapping)")
    plan: PlanReport | None = Field(default=None, description="planner results, if planned")
    checks: list[StatementCheck] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def planned(self) -> bool:
        """True when planning ran and Flink accepted every statement."""
        return self.plan is not None and bool(self.plan.ok)

    @property
    def reconciled(self) -> bool:
        """True when at least one statement was compared and all compared ones are equal."""
        compared = [c for c in self.checks if c.status != "skipped"]
        return bool(compared) and all(c.status == "equal" for c in compared)

    @property
    def ok(self) -> bool:
        """No error diagnostic (planner rejection, Flink failure, differing rows)."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def format(self, path: str = "<translation>") -> str:
        """A human-readable report (diagnostics, then one line per reconciled statement)."""
        lines = [d.format(path) for d in self.diagnostics]
        if self.plan is not None:
            n = len(self.plan.statements)
            lines.append(
                f"plan ({self.mode}): {n - len(self.plan.errors)}/{n} statements accepted"
            )
        for c in self.checks:
            text = f"statement {c.statement}: {c.status}"
            if c.reason:
                text += f": {c.reason}"
            lines.append(text)
            diff = c.diff
            if diff is not None and not diff.ok:
                for m in diff.mismatched[:5]:
                    lines.append(
                        f"  mismatched {m.key}: {', '.join(m.columns)}: expected "
                        f"{ {k: m.expected[k] for k in m.columns} } got "
                        f"{ {k: m.actual[k] for k in m.columns} }"
                    )
                for r in diff.missing[:5]:
                    lines.append(f"  missing {r.key}: {r.row}")
                for r in diff.extra[:5]:
                    lines.append(f"  extra {r.key}: {r.row}")
        lines.append(self.verdict())
        return "\n".join(lines) + "\n"

    def verdict(self) -> str:
        """The last line of :meth:`format`: "verified" only when rows were compared."""
        if not self.ok:
            return "NOT verified"
        if self.reconciled:
            return "verified"
        if self.planned:
            return "NOT verified: Flink accepts the translation, but no rows were compared (give --seeds or --generate-rows)"
        return "NOT verified: nothing was compared"

    def __str__(self) -> str:
        return self.format()


# --------------------------------------------------------------------------------------------
# Confluent -> OSS DDL mapping
# --------------------------------------------------------------------------------------------

_DISTRIBUTED_RE = re.compile(
    r"\bDISTRIBUTED\s+(?:BY\s+(?:HASH\s*)?\([^)]*\)\s*)?(?:INTO\s+\d+\s+BUCKETS)?",
    re.IGNORECASE,
)
_OPTION_RE = re.compile(r"'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'")
_CREATE_TABLE_RE = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>(?:`(?:[^`]|``)+`|[\w$]+)(?:\s*\.\s*(?:`(?:[^`]|``)+`|[\w$]+))*)",
    re.IGNORECASE,
)
_CONFLUENT_ONLY = ("changelog.mode", "key.fields-prefix", "value.fields-include")


def _matching_paren(text: str, start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start`` (skips strings and identifiers)."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in "'`\"":
            end = text.find(ch, i + 1)
            while end != -1 and text[end + 1 : end + 2] == ch:
                end = text.find(ch, end + 2)
            i = len(text) if end == -1 else end + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


class _TableDDL:
    """A CREATE TABLE statement cut into name / schema / rest / WITH options."""

    def __init__(self, sql: str) -> None:
        match = _CREATE_TABLE_RE.match(sql)
        if not match:
            raise ValueError("not a CREATE TABLE")
        self.head = sql[: match.end()]
        self.name = match.group("name").split(".")[-1].strip().strip("`").replace("``", "`")
        rest = sql[match.end() :]
        stripped = rest.lstrip()
        self.schema: str | None = None
        if stripped.startswith("("):
            open_at = len(rest) - len(stripped)
            close_at = _matching_paren(rest, open_at)
            if close_at == -1:
                raise ValueError("unbalanced parentheses")
            self.schema = rest[open_at + 1 : close_at]
            rest = rest[close_at + 1 :]
        with_match = None
        for m in re.finditer(r"\bWITH\s*\(", rest, re.IGNORECASE):
            with_match = m  # the table's WITH is the last one outside the schema
            break
        self.options: dict[str, str] = {}
        self.tail = ""
        if with_match is not None:
            open_at = with_match.end() - 1
            close_at = _matching_paren(rest, open_at)
            body = rest[open_at + 1 : close_at]
            self.options = {
                k.replace("''", "'"): v.replace("''", "'") for k, v in _OPTION_RE.findall(body)
            }
            self.middle = rest[: with_match.start()]
            self.tail = rest[close_at + 1 :]
        else:
            self.middle, self.tail = rest, ""

    def render(self, options: Mapping[str, str]) -> str:
        schema = f" ({self.schema})" if self.schema is not None else ""
        opts = ",\n  ".join(f"'{k}' = '{v.replace(chr(39), chr(39) * 2)}'" for k, v in options.items())
        middle = self.middle.strip()
        middle = f" {middle}" if middle else ""
        return f"{self.head}{schema}{middle} WITH (\n  {opts}\n){self.tail}"


def _has_primary_key(schema: str | None) -> bool:
    return bool(schema and re.search(r"\bPRIMARY\s+KEY\b", schema, re.IGNORECASE))


def confluent_to_oss(statement: str, *, script: str = "") -> str:
    """Map one Confluent Cloud ``CREATE TABLE`` to an OSS Flink one (see the module docs);
    other statements are returned unchanged.  ``script`` (the whole script) tells whether
    ``$rowtime`` is used anywhere."""
    if not _CREATE_TABLE_RE.match(statement):
        return statement
    text = _DISTRIBUTED_RE.sub(" ", statement)
    try:
        ddl = _TableDDL(text)
    except ValueError:
        return text
    options = dict(ddl.options)
    mode = options.pop("changelog.mode", "").lower()
    for key in list(options):
        if key in _CONFLUENT_ONLY or key.startswith("kafka."):
            options.pop(key)
    connector = options.get("connector", "").lower()
    if connector in ("", "confluent"):
        for key in ("connector", "key.format", "value.format", "scan.startup.mode", "topic"):
            options.pop(key, None)
        upsert = mode == "upsert" or (not mode and _has_primary_key(ddl.schema))
        base = {"connector": "upsert-kafka" if upsert else "kafka", "topic": ddl.name}
        base["properties.bootstrap.servers"] = "localhost:9092"
        if upsert:
            base.update({"key.format": "json", "value.format": "json"})
        else:
            base["format"] = "debezium-json" if mode == "retract" else "json"
            base["scan.startup.mode"] = "earliest-offset"
        options = {**base, **options}
    else:
        for key in ("key.format", "value.format", "format"):
            if options.get(key, "").endswith("-registry"):
                options[key] = "json"
    if ddl.schema is not None and "$rowtime" in (script or statement):
        if "$rowtime" not in ddl.schema:
            extra = ",\n  `$rowtime` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL"
            if not re.search(r"\bWATERMARK\b", ddl.schema, re.IGNORECASE):
                extra += ",\n  WATERMARK FOR `$rowtime` AS `$rowtime`"
            ddl.schema = ddl.schema.rstrip() + extra
    return ddl.render(options)


def _seeded_ddl(statement: str, path: Path) -> str | None:
    """The user's CREATE TABLE reading the seed file instead (None if it cannot be rewritten)."""
    from shiftleft.flink_engine.runner import filesystem_options

    try:
        ddl = _TableDDL(_DISTRIBUTED_RE.sub(" ", statement))
    except ValueError:
        return None
    if ddl.schema is None:
        return None
    ddl.schema = re.sub(
        r"\s+METADATA(?:\s+FROM\s+'[^']*')?(?:\s+VIRTUAL)?", "", ddl.schema, flags=re.IGNORECASE
    )
    ddl.middle = re.sub(r"PARTITIONED\s+BY\s*\([^)]*\)", "", ddl.middle, flags=re.IGNORECASE)
    ddl.head = re.sub(r"\bIF\s+NOT\s+EXISTS\b", "", ddl.head, flags=re.IGNORECASE)
    opts = dict(_OPTION_RE.findall(filesystem_options(path)))
    return ddl.render(opts)


# --------------------------------------------------------------------------------------------
# verify()
# --------------------------------------------------------------------------------------------

_CONNECTOR_RE = re.compile(r"'connector'\s*=\s*'(kafka|upsert-kafka|jdbc)'", re.IGNORECASE)

_default_planners: dict[bool, Any] = {}


def default_planner(connectors: bool) -> Any:
    """The process-wide planner (with or without the connector jars), created once."""
    from shiftleft.flink_engine import FlinkPlanner, connector_jars

    if connectors not in _default_planners:
        _default_planners[connectors] = FlinkPlanner(jars=connector_jars() if connectors else None)
    return _default_planners[connectors]


def _diag(
    rule_id: str,
    severity: Severity,
    message: str,
    statement: int | None = None,
    line: int | None = None,
    column: int | None = None,
    suggestion: str | None = None,
) -> Diagnostic:
    return Diagnostic(
        rule_id=rule_id,
        severity=severity,
        message=message,
        statement=statement,
        line=line,
        column=column,
        suggestion=suggestion,
    )


def verify(
    source: str | None = None,
    *,
    translation: TranspileResult | str | None = None,
    read: str = "spark",
    target: str = "flink",
    mode: str = "streaming",
    schema: Mapping[str, Mapping[str, str]] | None = None,
    seeds: Seeds | None = None,
    generate_rows: int = 0,
    keys: Sequence[str | int] | None = None,
    rel_tol: float = 1e-6,
    plan: bool = True,
    reconcile: bool = True,
    planner: Any = None,
    duckdb_connection: Any = None,
) -> VerifyReport:
    """Plan a translation on the embedded Flink 2.3 and reconcile its rows with the source.

    ``source``: the source SQL (dialect ``read``).  ``translation``: a
    :class:`~shiftleft.models.TranspileResult` or Flink SQL text; when omitted, ``source`` is
    translated with :func:`shiftleft.transpile` (``read`` / ``target`` / ``mode`` / ``schema``).
    A hand-written Flink script is paired with the source statement by statement.

    Input rows: ``seeds`` (a folder of ``<table>.csv`` / ``.parquet``, or a mapping from
    table name to a file or to a list of row dicts, typed by ``schema`` when given), and/or
    ``generate_rows`` rows per table of ``schema`` (deterministic).  Without input rows only
    planning is done.  ``duckdb_connection``: a DuckDB connection whose tables are the input
    (e.g. TPC-H from ``dbgen``).  ``keys``: result columns identifying a row in the diff.

    Raises :class:`~shiftleft.errors.ShiftleftEnvironmentError` when PyFlink / Java is missing
    and :class:`~shiftleft.errors.ConfigError` for bad arguments; everything the engines say
    about the SQL comes back as diagnostics in the report.
    """
    from shiftleft.pipeline import transpile

    if mode not in ("streaming", "batch"):
        raise ConfigError(f"mode must be 'streaming' or 'batch', not {mode!r}")
    started = time.perf_counter()
    if translation is None:
        if source is None:
            raise ConfigError("verify() needs the source SQL, a translation, or both")
        translation = transpile(source, read=read, target=target, mode=mode, schema=schema)
    source_tables: list[str] = []  # DDL of the source tables (transpile(sources=True)): not paired
    if isinstance(translation, TranspileResult):
        target = translation.target.value
        source_tables = list(translation.sources)
        flink_statements = [s.sql for s in translation.statements]
        translated_sql = translation.sql
    else:
        from shiftleft.flink_engine.planner import split_statements

        translated_sql = translation
        flink_statements = [s.sql for s in split_statements(translation)]
    source_statements = _source_statements(source, read) if source is not None else []

    planned_statements = [
        confluent_to_oss(s, script=translated_sql) if target == "confluent" else s
        for s in [*source_tables, *flink_statements]
    ]
    planned_sql = "".join(f"{s};\n" for s in planned_statements)
    report = VerifyReport(
        read=read,
        target=target,
        mode=mode,
        translated_sql=translated_sql,
        planned_sql=planned_sql,
    )
    if planner is None:
        planner = default_planner(bool(_CONNECTOR_RE.search(planned_sql)))
    has_rows = seeds is not None or bool(generate_rows) or duckdb_connection is not None
    workdir = Path(tempfile.mkdtemp(prefix="shiftleft-verify-"))
    try:
        side = None
        if has_rows or schema:
            from shiftleft.reconcile import DuckDBSide

            side = DuckDBSide(duckdb_connection)
            _load_inputs(side, seeds, schema, generate_rows, read)
        declared, setup = _seed_setup(side, planned_statements, workdir)
        if plan:
            _plan(report, planner, planned_sql, mode, [d for t, d in setup if t not in declared])
        if reconcile:
            if side is None or not has_rows or not source_statements:
                why = "no source SQL given" if not source_statements else (
                    "no input rows (give seeds=, or generate_rows= with schema=)"
                )
                report.diagnostics.append(
                    _diag(NOT_RECONCILED, Severity.INFO, f"rows not reconciled: {why}")
                )
            else:
                _reconcile(
                    report,
                    source_statements,
                    planned_statements[len(source_tables) :],
                    side=side,
                    setup=[d for _, d in setup],
                    read=read,
                    mode=mode,
                    keys=keys,
                    rel_tol=rel_tol,
                    planner=planner,
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report.elapsed_s = round(time.perf_counter() - started, 3)
    return report


def _source_statements(source: str, read: str) -> list[str]:
    """The source statements, read by the same reader as :func:`shiftleft.transpile`, one per
    statement of its result (raises its :class:`~shiftleft.errors.InputError` when nothing
    can be read, as it does)."""
    from shiftleft.parse import read_script

    statements = read_script(source, read)  # an unreadable one is paired with nothing ("")
    if statements and all(s.error for s in statements):
        raise statements[0].error  # type: ignore[misc]
    return [s.tree.sql(dialect=read) if s.tree is not None else "" for s in statements]


def _query_of(sql: str, dialect: str) -> tuple[str, exp.Expression | None, str | None]:
    """Classify a statement: ('query', tree, None), ('insert', query tree, table),
    ('ctas', query tree, table), ('view', tree, name), ('ddl', None, table) or ('other', ...)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return "other", None, None
    if isinstance(tree, exp.Query):
        return "query", tree, None
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Query):
        table = tree.find(exp.Table)
        return "insert", tree.expression, table.name if table else None
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        table = tree.find(exp.Table)
        name = table.name if table else None
        if kind == "VIEW":
            return "view", tree, name
        if kind == "TABLE" and isinstance(tree.expression, exp.Query):
            return "ctas", tree.expression, name
        if kind == "TABLE":
            return "ddl", None, name
    return "other", tree, None


def _load_inputs(
    side: Any,
    seeds: Seeds | None,
    schema: Mapping[str, Mapping[str, str]] | None,
    generate_rows: int,
    read: str,
) -> None:
    if isinstance(seeds, (str, Path)):
        side.load_dir(seeds)
    elif seeds:
        for table, value in seeds.items():
            if isinstance(value, (str, Path)):
                side.load_file(table, value)
            else:
                types = (schema or {}).get(table)
                side.load_rows(table, list(value), types, dialect=read)
    present = {t.lower() for t in side.tables()}
    missing = {t: c for t, c in (schema or {}).items() if t.lower() not in present}
    if generate_rows and missing:
        side.generate(missing, rows=generate_rows, dialect=read)
    else:  # declared but without rows: empty tables (so that planning knows them)
        for table, types in missing.items():
            side.load_rows(table, [], types, dialect=read)


def _seed_setup(
    side: Any, flink_statements: Sequence[str], workdir: Path
) -> tuple[set[str], list[tuple[str, str]]]:
    """Export the input tables for Flink; return the tables the script declares and
    ``(table, CREATE TABLE over the seed file)`` for every input table."""
    from shiftleft.flink_engine.runner import seed_table_ddl

    flink_ddl: dict[str, str] = {}
    for sql in flink_statements:
        if _CREATE_TABLE_RE.match(sql):
            try:
                table = _TableDDL(sql)
            except ValueError:
                continue
            if table.schema is not None and not re.search(r"\bAS\s+SELECT\b", table.tail, re.IGNORECASE):
                flink_ddl[table.name.lower()] = sql
    setup: list[tuple[str, str]] = []
    if side is None:
        return set(flink_ddl), setup
    for table in side.tables():
        path = side.export_json(table, workdir / table / "data.json")
        ddl = flink_ddl.get(table.lower())
        seeded_sql = _seeded_ddl(ddl, path.parent) if ddl else None
        setup.append(
            (table.lower(), seeded_sql or seed_table_ddl(table, side.flink_columns(table), path.parent))
        )
    return set(flink_ddl), setup


def _plan(
    report: VerifyReport, planner: Any, script: str, mode: str, prefix: Sequence[str]
) -> None:
    """Plan ``script`` after the ``prefix`` DDL (input tables the script does not declare);
    positions in the diagnostics are those of ``script``."""
    head = "".join(f"{d};\n" for d in prefix)
    skip_lines = head.count("\n")
    full = planner.plan(head + script, mode)
    plan_report = full.model_copy(update={"statements": []})
    for st in full.statements:
        if st.index <= len(prefix):
            for err in st.errors:
                report.diagnostics.append(
                    _diag(RUNTIME_ERROR, Severity.ERROR, f"input table rejected: {err.message}")
                )
            continue
        errors = [
            e.model_copy(
                update={
                    "statement": e.statement - len(prefix),
                    "line": None if e.line is None else e.line - skip_lines,
                    "end_line": None if e.end_line is None else e.end_line - skip_lines,
                }
            )
            for e in st.errors
        ]
        plan_report.statements.append(
            st.model_copy(
                update={"index": st.index - len(prefix), "line": st.line - skip_lines, "errors": errors}
            )
        )
        for err in errors:
            report.diagnostics.append(
                _diag(
                    PLANNER_ERROR,
                    Severity.ERROR,
                    f"Flink planner ({mode}) rejected statement {err.statement}: {err.message}",
                    err.statement,
                    err.line if err.line is not None else st.line - skip_lines,
                    err.column if err.line is not None else st.column,
                )
            )
    report.plan = plan_report


def _reconcile(
    report: VerifyReport,
    source_statements: list[str],
    flink_statements: list[str],
    *,
    side: Any,
    setup: list[str],
    read: str,
    mode: str,
    keys: Sequence[str | int] | None,
    rel_tol: float,
    planner: Any,
) -> None:
    from shiftleft.flink_engine.runner import FlinkExecutionError, FlinkRunner
    from shiftleft.reconcile import ResultSet, diff_results, top_level_order

    if len(source_statements) != len(flink_statements):
        report.diagnostics.append(
            _diag(
                NOT_RECONCILED,
                Severity.WARNING,
                f"rows not reconciled: the source has {len(source_statements)} statements, the "
                f"translation {len(flink_statements)}",
            )
        )
        return
    seeded = {t.lower() for t in side.tables()}
    runner = FlinkRunner(planner)
    try:
        env = runner.environment(mode, setup)  # type: ignore[arg-type]
    except FlinkExecutionError as exc:
        report.diagnostics.append(
            _diag(
                RUNTIME_ERROR,
                Severity.ERROR,
                f"could not create the seeded Flink tables: {exc.error.message}",
            )
        )
        return
    for index, (src, flk) in enumerate(zip(source_statements, flink_statements), start=1):
        check = _reconcile_statement(
            index, src, flk, side, runner, env, seeded, read, mode, keys, rel_tol,
            ResultSet, diff_results, top_level_order, FlinkExecutionError,
        )
        if check is None:
            continue
        report.checks.append(check)
        if check.status == "different":
            report.diagnostics.append(
                _diag(ROWS_DIFFER, Severity.ERROR, f"rows differ: {check.reason}", index)
            )
        elif check.status == "error":
            report.diagnostics.append(
                _diag(RUNTIME_ERROR, Severity.ERROR, check.reason or "failed", index)
            )


def _reconcile_statement(
    index: int,
    src: str,
    flk: str,
    side: Any,
    runner: Any,
    env: Any,
    seeded: set[str],
    read: str,
    mode: str,
    keys: Sequence[str | int] | None,
    rel_tol: float,
    ResultSet: Any,
    diff_results: Any,
    top_level_order: Any,
    FlinkExecutionError: type[ShiftleftError],
) -> StatementCheck | None:
    kind, tree, name = _query_of(src, read)
    fkind, ftree, _ = _query_of(flk, "flink")
    if kind == "ddl":
        if name and name.lower() not in seeded and fkind == "ddl":
            try:
                side.execute(src, read=read)
            except Exception:  # noqa: BLE001 - a sink DuckDB cannot create is not needed
                log.debug("DuckDB could not create %s", name)
            try:
                runner.execute(env, flk, statement=index)
            except FlinkExecutionError:
                log.debug("Flink could not create %s for reconciliation", name)
        return None
    if kind == "view":
        try:
            side.execute(src, read=read)
            runner.execute(env, flk, statement=index)
        except Exception as exc:  # noqa: BLE001
            return StatementCheck(
                statement=index, source=src, flink_sql=flk, status="error",
                reason=f"could not create the view: {_short(exc)}",
            )
        return None
    if kind not in ("query", "insert", "ctas") or tree is None:
        return None
    src_query = tree.sql(dialect=read)
    if fkind in ("query", "insert", "ctas") and ftree is not None:
        flink_query = ftree.sql(dialect="flink")
        if fkind == "query":
            flink_query = flk
    else:
        return StatementCheck(
            statement=index, source=src, flink_sql=flk, status="skipped",
            reason="the translation of this query is not a query",
        )
    try:
        expected = side.query(src_query, read=read)
    except Exception as exc:  # noqa: BLE001 - the source itself failing is not our finding
        return StatementCheck(
            statement=index, source=src_query, flink_sql=flink_query, status="skipped",
            reason=f"the source query failed on DuckDB: {_short(exc)}",
        )
    try:
        got = runner.query(env, flink_query, statement=index)
    except FlinkExecutionError as exc:
        return StatementCheck(
            statement=index, source=src_query, flink_sql=flink_query, status="error",
            reason=f"Flink failed: {exc.error.message}", expected_rows=len(expected.rows),
        )
    ordered, order_cols = top_level_order(src_query, read) if mode == "batch" else (False, None)
    diff = diff_results(
        expected,
        ResultSet(columns=got.columns, rows=got.rows),
        ordered=ordered,
        order_columns=order_cols,
        keys=keys,
        rel_tol=rel_tol,
    )
    if kind == "ctas" and name:
        try:
            side.execute(f"CREATE OR REPLACE TABLE {name} AS {src_query}", read=read)
            runner.execute(env, f"CREATE TEMPORARY VIEW `{name}` AS {flink_query}", statement=index)
        except Exception:  # noqa: BLE001
            log.debug("could not register CTAS %s for later statements", name)
    return StatementCheck(
        statement=index,
        source=src_query,
        flink_sql=flink_query,
        status="equal" if diff.ok else "different",
        reason=None if diff.ok else diff.summary(),
        diff=diff,
        expected_rows=len(expected.rows),
        actual_rows=len(got.rows),
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:500] if text else type(exc).__name__
