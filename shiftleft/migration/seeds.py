"""A dbt seed to Flink statements: its CSV read (column types declared or inferred) into a
table filled once by ``INSERT INTO ... VALUES``.

Split from :mod:`shiftleft.migration.translate`, which dispatches seeds here and re-exports
:func:`seed_columns`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlglot import exp

from shiftleft.dialects import build
from shiftleft.migration.codes import EVENT_TIME_ID, SEED_ID
from shiftleft.migration.node_job import TIME_TYPE, NodeJob, NodeOutcome
from shiftleft.migration.seed_cells import flink_text
from shiftleft.models import Diagnostic, Severity
from shiftleft.rewrite.string_decimal import read_string_exactly
from shiftleft.streaming.changelog import Changelog, ChangelogMode
from shiftleft.streaming.sink import sink_ddl
from shiftleft.streaming.typed_query import flink_type

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
    path: Path, config: Mapping[str, Any], read: str
) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """(name, Flink type) of a seed's columns and its rows, read as the seed's ``config``
    says: its ``delimiter`` (dbt's, default ``,``) and ``column_types`` (declared types win
    over inference)."""
    delimiter = str(config.get("delimiter") or ",")
    if len(delimiter) != 1:
        raise csv.Error(f"the seed's delimiter must be one character, not {delimiter!r}")
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f, delimiter=delimiter))
    if not rows:
        return [], []
    column_types = dict(config.get("column_types") or {})
    header, body = rows[0], rows[1:]
    declared = {k.lower(): v for k, v in column_types.items()}
    columns = []
    for i, name in enumerate(header):
        given = declared.get(name.lower())
        kind = flink_type(given, read) if given else None
        columns.append((name, kind or _infer_type([r[i] if i < len(r) else "" for r in body])))
    return columns, body


def _value(value: str, kind: str) -> exp.Expr:
    """A CSV cell as a value of ``kind``: a string literal in the form Flink's cast reads
    (:mod:`shiftleft.migration.seed_cells`; ValueError when it is no ``kind``), cast unless a
    string (into a narrow DECIMAL exactly, see :mod:`shiftleft.rewrite.string_decimal`); NULL
    when empty."""
    if value == "":
        return build.cast(exp.null(), kind)
    if kind.upper() in ("STRING", "VARCHAR"):
        return build.string(value)
    cast = build.cast(build.string(flink_text(value, kind)), kind)
    read_string_exactly(cast, None)
    return cast


def _rows(
    rows: list[list[str]], columns: list[tuple[str, str]]
) -> tuple[list[exp.Expr], list[str]]:
    """The VALUES tuples of the seed's rows, and what is wrong with the cells that are no
    value of their column's type (row numbers count the rows after the header)."""
    tuples: list[exp.Expr] = []
    bad: list[str] = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for i, (name, kind) in enumerate(columns):
            cell = row[i] if i < len(row) else ""
            try:
                cells.append(_value(cell, kind))
            except ValueError as e:
                bad.append(f"row {number}, column {name}: {cell!r} is {e} ({kind})")
        tuples.append(exp.Tuple(expressions=cells))
    return tuples, bad


def _seed(job: NodeJob) -> NodeOutcome:
    out = NodeOutcome(changelog="append")
    path = Path(job.seed_path or "")
    try:
        columns, rows = seed_columns(path, job.config, job.read)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        out.failed = True
        out.diagnostics.append(
            Diagnostic.of(
                SEED_ID,
                f"cannot read seed file {path.name}: {e}",
                severity=Severity.ERROR,
            )
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
            Diagnostic.of(
                EVENT_TIME_ID,
                f"event time {time_column} (the loaded_at_field of the source "
                "reading this seed): declared TIMESTAMP(3) with a watermark",
                severity=Severity.INFO,
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
        out.diagnostics.append(
            Diagnostic.of(SEED_ID, f"seed {job.name} has no rows", severity=Severity.WARNING)
        )
        return out
    tuples, bad = _rows(rows, columns)
    if bad:
        out.failed = True
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        out.diagnostics.append(
            Diagnostic.of(
                SEED_ID,
                f"seed {path.name} has {len(bad)} cell(s) that are no value of their column's type, "
                f"which Flink's cast would fail on when the job runs: {'; '.join(bad[:3])}{more}",
                severity=Severity.ERROR,
                suggestion="fix the cells, or declare the column's type in the seed's column_types "
                "(e.g. varchar) to load them as text",
            )
        )
        return out
    values = exp.Values(expressions=tuples)
    insert = build.insert(job.name, values, deduplicate=bool(key))  # the latest row per key wins
    out.dml = build.to_sql(insert, width=1 << 20)  # one row a line
    out.diagnostics.append(
        Diagnostic.of(
            SEED_ID,
            f"seed loaded by a bounded job: {len(rows)} rows written with INSERT ... VALUES",
            severity=Severity.INFO,
        )
    )
    return out
