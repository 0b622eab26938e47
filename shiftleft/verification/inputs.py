"""The input rows of a verification, on both engines: loaded into DuckDB (seed files, Python
rows, or rows generated from the schema) and exported as tables Flink reads."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shiftleft.flink_engine.runner import seed_table_ddl
from shiftleft.verification.confluent import CREATE_TABLE_RE, TableDDL, seeded_ddl
from shiftleft.verification.duckdb_side import DuckDBSide

#: a folder of ``<table>.csv`` / ``.parquet``, or table -> a file or a list of row dicts
Seeds = str | Path | Mapping[str, "str | Path | Sequence[Mapping[str, Any]]"]


def load_inputs(
    side: DuckDBSide,
    seeds: Seeds | None,
    schema: Mapping[str, Mapping[str, str]],
    generate_rows: int,
    read: str,
) -> None:
    """Load ``seeds`` into ``side``; the tables of ``schema`` left without rows get
    ``generate_rows`` generated rows (or none: empty tables, so that planning knows them)."""
    if isinstance(seeds, (str, Path)):
        side.load_dir(seeds)
    elif seeds:
        for table, value in seeds.items():
            if isinstance(value, (str, Path)):
                side.load_file(table, value)
            else:
                side.load_rows(table, list(value), schema.get(table), dialect=read)
    present = {t.lower() for t in side.tables()}
    missing = {t: c for t, c in schema.items() if t.lower() not in present}
    if generate_rows and missing:
        side.generate(missing, rows=generate_rows, dialect=read)
    else:
        for table, types in missing.items():
            side.load_rows(table, [], types, dialect=read)


def seed_setup(
    side: DuckDBSide | None, flink_statements: Sequence[str], workdir: Path
) -> tuple[set[str], list[tuple[str, str]]]:
    """Export the input tables for Flink; return the tables the script declares and
    ``(table, CREATE TABLE over the seed file)`` for every input table."""
    flink_ddl: dict[str, str] = {}
    for sql in flink_statements:
        if CREATE_TABLE_RE.match(sql):
            try:
                ddl = TableDDL(sql)
            except ValueError:
                continue
            if ddl.schema is not None and not re.search(r"\bAS\s+SELECT\b", ddl.tail, re.IGNORECASE):
                flink_ddl[ddl.name.lower()] = sql
    setup: list[tuple[str, str]] = []
    if side is None:
        return set(flink_ddl), setup
    for table in side.tables():
        path = side.export_json(table, workdir / table / "data.json")
        declared = flink_ddl.get(table.lower())
        seeded_sql = seeded_ddl(declared, path.parent) if declared else None
        setup.append(
            (table.lower(), seeded_sql or seed_table_ddl(table, side.flink_columns(table), path.parent))
        )
    return set(flink_ddl), setup
