""":func:`verify`: plan a translation on the embedded Flink 2.3 and reconcile its rows with
the source run on DuckDB (see :mod:`shiftleft.verification`)."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from typing_extensions import Unpack

from shiftleft.errors import ConfigError
from shiftleft.flink_engine import default_planner
from shiftleft.flink_engine.planner import FlinkPlanner, split_statements
from shiftleft.streaming.verdict import script_verdicts
from shiftleft.models import Diagnostic, Severity, TranspileResult
from shiftleft.options import TranspileOptions, VerifyKwargs, VerifyOptions
from shiftleft.parse import read_script
from shiftleft.pipeline import transpile
from shiftleft.verification.confluent import confluent_to_oss
from shiftleft.verification.duckdb_side import DuckDBSide
from shiftleft.verification.inputs import Seeds, load_inputs, seed_setup
from shiftleft.verification.report import (
    NOT_RECONCILED,
    PLANNER_ERROR,
    RUNTIME_ERROR,
    VerifyReport,
)
from shiftleft.verification.statements import reconcile

__all__ = ["Seeds", "verify"]

_CONNECTOR_RE = re.compile(r"'connector'\s*=\s*'(kafka|upsert-kafka|jdbc)'", re.IGNORECASE)


def verify(
    source: str | None = None,
    options: TranspileOptions | None = None,
    *,
    translation: TranspileResult | str | None = None,
    **kwargs: Unpack[VerifyKwargs],
) -> VerifyReport:
    """Plan a translation on the embedded Flink 2.3 and reconcile its rows with the source.

    ``source``: the source SQL (dialect ``read``).  ``translation``: a
    :class:`~shiftleft.models.TranspileResult` or Flink SQL text; when omitted, ``source`` is
    translated with :func:`shiftleft.transpile` with the same options (``read``, ``target``,
    ``mode``, ``schema``, ``rules``, ...).  The options are keywords or a
    :class:`~shiftleft.options.VerifyOptions` (a :class:`~shiftleft.options.TranspileOptions`
    works too); keywords override its fields.
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
    opts = VerifyOptions.of(options, **kwargs)
    started = time.perf_counter()
    if translation is None:
        if source is None:
            raise ConfigError("verify() needs the source SQL, a translation, or both")
        translation = transpile(source, opts.translation())
    report, source_tables, planned_statements = _planned(translation, opts)
    if isinstance(translation, TranspileResult):
        # what transpile reports is part of the verdict: rows equal on the statements that
        # were translated do not make an untranslated construct "verified"
        report.diagnostics[:0] = translation.diagnostics
    # the source statements, read by the same reader as transpile: one per statement of its
    # result (an unreadable one is paired with nothing); its InputError when none can be read
    read = read_script(source, opts.read) if source else []
    if read and all(s.error for s in read):
        raise read[0].error  # type: ignore[misc]
    sources = [s.tree.sql(dialect=opts.read) if s.tree is not None else "" for s in read]
    planner = opts.planner or default_planner(bool(_CONNECTOR_RE.search(report.planned_sql)))
    has_rows = opts.seeds is not None or bool(opts.generate_rows) or opts.duckdb_connection is not None
    workdir = Path(tempfile.mkdtemp(prefix="shiftleft-verify-"))
    try:
        side = None
        if has_rows or opts.schema_:
            side = DuckDBSide(opts.duckdb_connection)
            load_inputs(side, opts.seeds, opts.schema_, opts.generate_rows, opts.read)
        declared, setup = seed_setup(side, planned_statements, workdir)
        if opts.plan:
            prefix = [d for t, d in setup if t not in declared]
            _plan(report, planner, report.planned_sql, prefix)
            # planner vs derivation (SL4111): where the planner's changelog differs
            statements = split_statements(report.planned_sql)
            report.diagnostics += script_verdicts(planner, statements, report.mode, prefix)
        if opts.reconcile:
            why = _not_reconciled(side is not None and has_rows, sources, planned_statements[len(source_tables) :])
            if why is not None:
                report.diagnostics.append(why)
            else:
                assert side is not None
                pairs = list(zip(sources, planned_statements[len(source_tables) :]))
                reconcile(report, pairs, side, [d for _, d in setup], planner, opts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report.elapsed_s = round(time.perf_counter() - started, 3)
    return report


def _not_reconciled(has_rows: bool, sources: Sequence[str], translated: Sequence[str]) -> Diagnostic | None:
    """Why rows cannot be reconciled (None: they can)."""
    if not sources:
        why = "no source SQL given"
    elif not has_rows:
        why = "no input rows (give seeds=, or generate_rows= with schema=)"
    elif len(sources) != len(translated):
        return Diagnostic.of(
            NOT_RECONCILED,
            f"rows not reconciled: the source has {len(sources)} statements, the translation {len(translated)}",
            severity=Severity.WARNING,
        )
    else:
        return None
    return Diagnostic.of(NOT_RECONCILED, f"rows not reconciled: {why}", severity=Severity.INFO)


def _planned(translation: TranspileResult | str, opts: VerifyOptions) -> tuple[VerifyReport, list[str], list[str]]:
    """The report to fill, the source-table DDL of the translation (``transpile(sources=True)``:
    planned, not paired with a source statement) and every statement to plan (Confluent DDL
    mapped to open-source Flink)."""
    target = opts.target.value
    source_tables: list[str] = []
    if isinstance(translation, TranspileResult):
        target = translation.target.value
        source_tables = list(translation.sources)
        flink_statements = [s.sql for s in translation.statements]
        translated_sql = translation.sql
    else:
        translated_sql = translation
        flink_statements = [s.sql for s in split_statements(translation)]
    planned = [
        confluent_to_oss(s, script=translated_sql) if target == "confluent" else s
        for s in [*source_tables, *flink_statements]
    ]
    report = VerifyReport(
        read=opts.read,
        target=target,
        mode=opts.mode.value,
        translated_sql=translated_sql,
        planned_sql="".join(f"{s};\n" for s in planned),
    )
    return report, source_tables, planned


def _plan(report: VerifyReport, planner: FlinkPlanner, script: str, prefix: Sequence[str]) -> None:
    """Plan ``script`` after the ``prefix`` DDL (input tables the script does not declare);
    positions in the diagnostics are those of ``script``."""
    mode = report.mode
    head = "".join(f"{d};\n" for d in prefix)
    skip_lines = head.count("\n")
    full = planner.plan(head + script, mode)  # type: ignore[arg-type]
    plan_report = full.model_copy(update={"statements": []})
    for st in full.statements:
        if st.index <= len(prefix):
            for err in st.errors:
                report.diagnostics.append(
                    Diagnostic.of(RUNTIME_ERROR, f"input table rejected: {err.message}")
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
                Diagnostic.of(
                    PLANNER_ERROR,
                    f"Flink planner ({mode}) rejected statement {err.statement}: {err.message}",
                    statement=err.statement,
                    line=err.line if err.line is not None else st.line - skip_lines,
                    column=err.column if err.line is not None else st.column,
                )
            )
    report.plan = plan_report
