"""Bind every table of a pipelines folder to files (the filesystem connector), for running
migrated pipelines without Kafka: on a local cluster (``shiftleft run --local``) and in tests.

Each ``CREATE TABLE``'s ``WITH (...)`` options are replaced (sqlglot nodes, not text) by
``'connector' = 'filesystem'`` on ``<root>/<table>/``: ``'format' = 'json'`` for an
append-only table, ``'debezium-json'`` (a changelog: inserts, updates, deletes) for an
updating one (``changelog_mode`` upsert/retract, or a primary key).  With ``monitor`` set,
sources watch their folder for new files (unbounded, streaming); without it each job reads
what is there when it starts and finishes (bounded, same streaming planner).  A streaming
filesystem sink commits its files on checkpoints, so jobs need checkpointing on.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlglot
from sqlglot import exp

from shiftleft.deploy.pipelines import Pipelines, TableSpec
from shiftleft.errors import InputError


def _options(options: dict[str, str]) -> exp.Properties:
    return exp.Properties(
        expressions=[
            exp.Property(this=exp.Literal.string(k), value=exp.Literal.string(v))
            for k, v in options.items()
        ]
    )


def table_format(spec: TableSpec) -> str:
    """``debezium-json`` for an updating table, ``json`` for an append-only one."""
    updating = spec.changelog_mode not in (None, "append") or bool(spec.primary_key)
    return "debezium-json" if updating else "json"


def bind_statement(statement: str, spec: TableSpec, folder: Path, monitor: str | None) -> str:
    tree = sqlglot.parse_one(statement, read="flink")
    if isinstance(tree, exp.Insert) and tree.args.get("conflict") is not None:
        # a changelog file sink is no upsert sink: it takes every change, so ON CONFLICT
        # (how an upsert sink resolves key clashes) goes; the final state is compacted by key
        tree.set("conflict", None)
        return tree.sql(dialect="flink", pretty=True)
    if not isinstance(tree, exp.Create) or str(tree.args.get("kind", "")).upper() != "TABLE":
        return statement
    options = {"connector": "filesystem", "path": folder.as_uri(), "format": table_format(spec)}
    if monitor:
        # unbounded: sources watch their folder; row-format part files roll (and so are
        # committed on the next checkpoint) at this interval instead of every 30 minutes
        options["source.monitor-interval"] = monitor
        options["sink.rolling-policy.rollover-interval"] = monitor
        options["sink.rolling-policy.check-interval"] = monitor
    tree.set("properties", _options(options))
    return tree.sql(dialect="flink", pretty=True)


def bind_to_files(
    pipelines: Pipelines,
    root: Path,
    *,
    monitor: str | None = "1s",
    inputs: dict[str, Path] | None = None,
) -> Pipelines:
    """A copy of ``pipelines`` whose tables read and write folders under ``root``.

    ``inputs`` maps a source table (one the pipelines only declare) to a CSV file (header
    row of column names) or a JSON-lines file, copied into its folder as JSON lines.
    """
    root = Path(root).resolve()
    tables: dict[str, TableSpec] = {}
    for name, spec in pipelines.tables.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        ddl = tuple(bind_statement(s, spec, folder, monitor) for s in spec.ddl)
        dml = tuple(bind_statement(s, spec, folder, monitor) for s in spec.dml)
        tables[name] = spec.model_copy(update={"ddl": ddl, "dml": dml})
    for name, path in (inputs or {}).items():
        if name not in tables:
            raise InputError(f"--input {name}={path}: no table {name!r} in the pipelines")
        write_input(Path(path), root / name / "input.json", debezium=table_format(tables[name]) != "json")
    return Pipelines(root=pipelines.root, tables=tables)


def write_input(source: Path, target: Path, *, debezium: bool) -> int:
    """Copy a CSV (with a header) or JSON-lines file as JSON lines; the number of rows."""
    if not source.is_file():
        raise InputError(f"input file not found: {source}")
    if source.suffix.lower() == ".csv":
        with source.open(newline="", encoding="utf-8") as handle:
            rows = [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(handle)]
    else:
        rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    with target.open("w", encoding="utf-8") as out:
        for row in rows:
            record = {"before": None, "after": row, "op": "c"} if debezium else row
            out.write(json.dumps(record) + "\n")
    return len(rows)


def final_state(folder: Path, key: list[str] | None) -> list[dict]:
    """The rows a sink folder holds once its changelog is applied.

    ``json`` files are appended rows; ``debezium-json`` files are changes, applied in the
    order the part files were written and compacted by ``key`` (whole
    rows when there is no key: a retraction removes one equal row).  In-progress and hidden
    files (``.part-...``, not yet committed by a checkpoint) are ignored.
    """
    rows: dict[tuple, dict] = {}
    bag: list[dict] = []
    files = [p for p in Path(folder).rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
    # part files are written checkpoint after checkpoint: their last write orders them
    for path in sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name)):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if "op" not in record:
                bag.append(record)
                continue
            before, after = record.get("before"), record.get("after")
            if key:
                if record["op"] == "d" and before is not None:
                    rows.pop(tuple(before.get(k) for k in key), None)
                elif after is not None:
                    rows[tuple(after.get(k) for k in key)] = after
            else:
                if before is not None and before in bag:
                    bag.remove(before)
                if after is not None and record["op"] != "d":
                    bag.append(after)
    return list(rows.values()) + bag


__all__ = ["bind_statement", "bind_to_files", "final_state", "table_format", "write_input"]
