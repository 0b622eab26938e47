"""Corpus benchmark: translate a folder of plain SQL files and plan every translated statement on
the real Flink 2.3 planner.

    .venv/bin/python benchmarks/corpus_sql.py DIR_OR_FILE [...] [--read spark] \
        [--mode streaming|batch|both] [--ddl PATH ...] [--data DIR ...] [--json FILE] [-v]

Every ``*.sql`` file below the paths is translated with ``shiftleft.transpile`` (one file, one
script; statements split as shiftleft splits them).  Each statement is then one of:

* ``translated``: no error diagnostic; it is planned, in file order (a file that creates a table or
  view another file reads comes first), in one Flink session per mode with the real Kafka /
  upsert-kafka / JDBC connectors, so views created by one statement are there for the next (a
  created view is also queried, ``SELECT * FROM v``: CREATE VIEW alone only validates);
* ``reported``: it carries an error diagnostic (counted by code); a file shiftleft cannot read at
  all counts each of its statements as ``unreadable``;
* ``ok``: translated and accepted by the planner;
* ``blocked``: translated, rejected, but it reads a relation that the corpus failed to create;
* ``SILENT``: translated, rejected by the planner for a reason of its own: must be 0.

The tables the SQL reads but does not create get a DDL before the first statement that reads
them, from (first match): the Flink ``CREATE TABLE`` statements of ``--ddl`` files (Confluent
Cloud DDL is mapped to open-source Flink); a reported Spark ``CREATE TABLE`` with a column list
(its columns as shiftleft translates them); a Spark ``CREATE VIEW ... USING CSV OPTIONS (path
...)`` whose CSV is found (relative to the file, or by name under ``--data``), typed by DuckDB's
CSV sniffer; otherwise shiftleft's own source inference (``sources=True``: declared types, or
STRING for columns it only sees used).  Every source gets the connector of its mode: Kafka JSON
(upsert-kafka with a primary key) in streaming, the filesystem (JSON) in batch.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

import shiftleft
from shiftleft.errors import ShiftleftError
from shiftleft.flink_engine import default_planner
from shiftleft.flink_engine.planner import PlanSession
from shiftleft.flink_engine.script import split_statements
from shiftleft.parse import read_script
from shiftleft.verification.confluent import DISTRIBUTED_RE
from shiftleft.verification.duckdb_side import duckdb_type_to_flink

_SCRATCH = "/tmp/shiftleft-corpus-sql"


@dataclass
class Statement:
    """One statement of a file and its verdict."""

    file: str
    index: int
    line: int | None
    sql: str = ""
    source: str = ""
    codes: list[str] = field(default_factory=list)
    creates: str | None = None
    #: ``creates`` as the statement spells it (Flink names are case-sensitive)
    created_as: str | None = None
    #: the statement writes into ``creates`` (an INSERT: the table must exist)
    inserts: bool = False
    #: the statement creates a view (CREATE [OR REPLACE] [TEMPORARY] VIEW)
    view: bool = False
    reads: set[str] = field(default_factory=set)
    verdict: str = ""  # ok / reported / unreadable / blocked / silent
    message: str = ""


def sql_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.rglob("*.sql")) if p.is_dir() else [p]
    return files


def _relations(stmt: Statement) -> None:
    """Set what a translated statement creates or writes and the relations it reads."""
    creates, reads = None, set()
    for tree in sqlglot.parse(stmt.sql, read="flink"):
        if tree is None or isinstance(tree, exp.Drop):  # a DROP needs nothing declared
            continue
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        target = tree.this if isinstance(tree, (exp.Create, exp.Insert)) else None
        if isinstance(target, exp.Schema):
            target = target.this
        if isinstance(target, exp.Table):
            creates = target.name.lower()
            stmt.created_as = target.name
            stmt.inserts = isinstance(tree, exp.Insert)
            stmt.view = isinstance(tree, exp.Create) and tree.kind == "VIEW"
        for t in tree.find_all(exp.Table):
            name = t.name.lower()
            if t is not target and name not in ctes and name:
                reads.add(name)
    stmt.creates, stmt.reads = creates, reads - ({creates} if creates else set())


def translate_file(path: Path, read: str, mode: str, schema: dict[str, dict[str, str]]) -> list[Statement]:
    text = path.read_text(errors="replace")
    try:
        result = shiftleft.transpile(text, read=read, mode=mode, schema=schema or None)
    except ShiftleftError as e:
        try:
            count = len(read_script(text, read))
        except ShiftleftError:
            count = 1
        return [Statement(str(path), i + 1, None, verdict="unreadable", codes=["unreadable"], message=str(e).splitlines()[0])
                for i in range(count)]  # fmt: skip
    out = []
    for st in result.statements:
        errors = sorted({d.rule_id for d in st.diagnostics if d.severity.value == "error"})
        s = Statement(str(path), st.index, st.line, st.sql, st.source, errors)
        try:
            _relations(s)
        except sqlglot.errors.SqlglotError:
            pass
        if errors:
            s.verdict = "reported"
        out.append(s)
    return out


# -- source tables ------------------------------------------------------------------------------


def _with_connector(create: exp.Create, name: str, mode: str) -> str:
    """``create`` (a CREATE TABLE with a schema) with the connector of ``mode`` and nothing else."""
    create = create.copy()
    create.set("kind", "TABLE")
    create.set("exists", False)
    create.set("replace", False)
    schema = create.this
    for default in list(schema.find_all(exp.DefaultColumnConstraint)):  # Flink has none
        default.parent.pop() if isinstance(default.parent, exp.ColumnConstraint) else default.pop()
    has_key = any(isinstance(c, exp.PrimaryKey) for c in schema.expressions) or any(
        c.find(exp.PrimaryKeyColumnConstraint) for c in schema.expressions
    )
    if mode == "batch":
        opts = {"connector": "filesystem", "path": f"{_SCRATCH}/{name}", "format": "json"}
    elif has_key:
        opts = {"connector": "upsert-kafka", "topic": name, "properties.bootstrap.servers": "localhost:9092",
                "key.format": "json", "value.format": "json"}  # fmt: skip
    else:
        opts = {"connector": "kafka", "topic": name, "properties.bootstrap.servers": "localhost:9092",
                "scan.startup.mode": "earliest-offset", "format": "json"}  # fmt: skip
    props = [exp.Property(this=exp.Literal.string(k), value=exp.Literal.string(v)) for k, v in opts.items()]
    create.set("properties", exp.Properties(expressions=props))
    return create.sql("flink")


def _create_with_columns(sql: str) -> exp.Create | None:
    try:
        tree = sqlglot.parse_one(DISTRIBUTED_RE.sub("", sql), read="flink")
    except sqlglot.errors.SqlglotError:
        return None
    if isinstance(tree, exp.Create) and tree.kind == "TABLE" and isinstance(tree.this, exp.Schema):
        if any(isinstance(c, exp.ColumnDef) for c in tree.this.expressions) and not tree.expression:
            return tree
    return None


def ddl_tables(paths: list[str]) -> dict[str, exp.Create]:
    """The CREATE TABLE statements (with columns) of the Flink DDL files below ``paths``."""
    tables: dict[str, exp.Create] = {}
    for f in sql_files(paths):
        for st in split_statements(f.read_text(errors="replace")):
            create = _create_with_columns(st.sql)
            if create is not None:
                tables.setdefault(create.this.this.name.lower(), create)
    return tables


def _csv_path(source: str, read: str, here: Path, data: list[str]) -> Path | None:
    try:
        tree = sqlglot.parse_one(source, read=read)
    except sqlglot.errors.SqlglotError:
        return None
    for prop in tree.find_all(exp.Property):
        if prop.name.lower() == "path" and isinstance(prop.args.get("value"), exp.Literal):
            raw = re.sub(r"\s+", "", prop.args["value"].name)
            candidates = [here / raw] + [f for d in data for f in Path(d).rglob(Path(raw).name)]
            return next((c.resolve() for c in candidates if c.is_file()), None)
    return None


def csv_table(name: str, path: Path) -> exp.Create:
    import duckdb

    rows = duckdb.connect().sql(f"DESCRIBE SELECT * FROM read_csv_auto('{path}')").fetchall()
    cols = ", ".join(f"`{r[0]}` {duckdb_type_to_flink(r[1])}" for r in rows)
    return sqlglot.parse_one(f"CREATE TABLE `{name}` ({cols})", read="flink")  # type: ignore[return-value]


def inferred_tables(path: Path, read: str, mode: str) -> dict[str, exp.Create]:
    """shiftleft's own source DDL for the tables ``path`` reads (``sources=True``)."""
    try:
        result = shiftleft.transpile(path.read_text(errors="replace"), read=read, mode=mode, sources=True)
    except ShiftleftError:
        return {}
    found: dict[str, exp.Create] = {}
    for st in split_statements(result.sql):
        create = _create_with_columns(st.sql)
        if create is not None:
            found.setdefault(create.this.this.name.lower(), create)
    return found


# -- planning -----------------------------------------------------------------------------------


def file_order(files: dict[str, list[Statement]]) -> list[str]:
    """Files ordered so that a file creating a relation comes before the files reading it."""
    creators: dict[str, str] = {}
    for f, stmts in files.items():
        for s in stmts:
            if s.creates:
                creators.setdefault(s.creates, f)
    done: list[str] = []
    visiting: set[str] = set()

    def visit(f: str) -> None:
        if f in done or f in visiting:
            return
        visiting.add(f)
        for s in files[f]:
            for r in s.reads:
                if r in creators and creators[r] != f:
                    visit(creators[r])
        done.append(f)

    for f in files:
        visit(f)
    return done


@dataclass
class Sources:
    """The DDL of the relations the corpus reads (or inserts into) but does not create."""

    read: str
    mode: str
    #: name -> (CREATE TABLE with columns, where it comes from)
    known: dict[str, tuple[exp.Create, str]] = field(default_factory=dict)
    declared: dict[str, str] = field(default_factory=dict)  # name -> origin

    @classmethod
    def collect(cls, files: dict[str, list[Statement]], read: str, mode: str, ddl: list[str], data: list[str]) -> Sources:
        """From the ``--ddl`` files, then the reported CREATE TABLE / CSV views of the corpus."""
        known = {name: (create, "ddl") for name, create in ddl_tables(ddl).items()}
        for stmts in files.values():
            for s in stmts:
                if not s.verdict or not s.creates or s.creates in known:
                    continue
                create = _create_with_columns(s.sql)
                if create is not None:
                    known[s.creates] = (create, "spark create table")
                    continue
                csv = _csv_path(s.source, read, Path(s.file).parent, data)
                if csv is not None:
                    known[s.creates] = (csv_table(s.creates, csv), f"csv {csv.name}")
        return cls(read, mode, known)

    def schema(self) -> dict[str, dict[str, str]]:
        """The columns of the known tables, as ``schema=`` for shiftleft."""
        out: dict[str, dict[str, str]] = {}
        for name, (create, _) in self.known.items():
            cols = [c for c in create.this.expressions if isinstance(c, exp.ColumnDef) and c.args.get("kind")]
            out[name] = {c.name: c.args["kind"].sql("flink") for c in cols}
        return out

    def declare(self, session: PlanSession, stmt: Statement, available: set[str]) -> None:
        """Declare every relation ``stmt`` needs that is neither available nor declared yet."""
        needs = stmt.reads | ({stmt.creates} if stmt.inserts and stmt.creates else set())
        inferred: dict[str, exp.Create] | None = None
        for name in sorted(needs - available - set(self.declared)):
            create, origin = self.known.get(name, (None, ""))
            if create is None:
                if inferred is None:
                    inferred = inferred_tables(Path(stmt.file), self.read, self.mode)
                create, origin = inferred.get(name), "inferred"
            if create is None:
                self.declared[name] = "missing"  # no DDL found: the statements needing it are blocked
                continue
            report = session.plan(_with_connector(create, name, self.mode) + ";")
            self.declared[name] = origin if report.ok else f"{origin} (rejected: {report.errors[0].message[:120]})"


def plan_corpus(files: dict[str, list[Statement]], sources: Sources) -> None:
    planner = default_planner(connectors=True)
    session = planner.session(sources.mode)  # type: ignore[arg-type]
    available: dict[str, str] = {}  # name -> the file that created it
    broken: set[str] = set()
    for f in file_order(files):
        for s in files[f]:
            if s.verdict:  # reported / unreadable
                if s.creates and s.creates not in available:
                    broken.add(s.creates)
                continue
            sources.declare(session, s, set(available))
            if s.view and s.creates in available and available[s.creates] != f:
                # another file of the corpus created the same view: each file is a script of its own
                session.plan(f"DROP TEMPORARY VIEW IF EXISTS `{s.created_as or s.creates}`;")
            report = session.plan(s.sql)
            if report.ok and s.view and s.creates:
                # CREATE VIEW only validates the query: optimizing it finds what the planner rejects later
                report = session.plan(f"SELECT * FROM `{s.created_as or s.creates}`;")
                if not report.ok:
                    session.plan(f"DROP TEMPORARY VIEW IF EXISTS `{s.created_as or s.creates}`;")
            if report.ok:
                s.verdict = "ok"
                if s.creates:
                    available[s.creates] = f
                    broken.discard(s.creates)
                continue
            s.message = report.errors[0].message.splitlines()[0][:300]
            needs = s.reads | ({s.creates} if s.inserts and s.creates else set())
            upstream = {r for r in needs if (r in broken and r not in sources.declared) or sources.declared.get(r) == "missing"}
            s.verdict = "blocked" if upstream else "silent"
            if upstream:
                s.message = f"reads {', '.join(sorted(upstream))}: {s.message}"
            if s.creates:
                broken.add(s.creates)


def summarize(files: dict[str, list[Statement]]) -> dict[str, Any]:
    total: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    per_file = {}
    for f, stmts in files.items():
        c = Counter(s.verdict for s in stmts)
        c["statements"] = len(stmts)
        c["translated"] = sum(s.verdict in ("ok", "blocked", "silent") for s in stmts)
        per_file[f] = dict(c)
        total.update(c)
        for s in stmts:
            codes.update(s.codes)
    return {"total": dict(total), "codes": dict(codes.most_common()), "files": per_file}


def _print(mode: str, files: dict[str, list[Statement]], summary: dict[str, Any], root: str, verbose: bool) -> None:
    print(f"\n== {mode} ==")
    for f, c in summary["files"].items():
        name = f[len(root):].lstrip("/") if f.startswith(root) else f
        line = (f"{c['statements']:3} stmts {c['translated']:3} translated {c.get('ok', 0):3} ok "
                f"{c.get('reported', 0) + c.get('unreadable', 0):3} reported {c.get('blocked', 0):2} blocked "
                f"{c.get('silent', 0):2} SILENT  {name}")  # fmt: skip
        print(line)
        for s in files[f]:
            if s.verdict == "silent" or (verbose and s.verdict in ("blocked", "reported", "unreadable")):
                what = s.message if s.verdict != "reported" else ", ".join(s.codes)
                print(f"      {s.verdict.upper()} statement {s.index} (line {s.line}): {what}")
    t = summary["total"]
    print(f"TOTAL {mode}: {t.get('statements', 0)} statements, {t.get('translated', 0)} translated "
          f"({t.get('ok', 0)} ok, {t.get('blocked', 0)} blocked, {t.get('silent', 0)} SILENT), "
          f"{t.get('reported', 0)} reported, {t.get('unreadable', 0)} unreadable")  # fmt: skip
    print("reported by code:", ", ".join(f"{k} {v}" for k, v in summary["codes"].items()))


def run(paths: list[str], *, read: str, mode: str, ddl: list[str], data: list[str]) -> tuple[dict[str, list[Statement]], Sources]:
    """Translate the files twice: once to find the tables they declare, then with their columns
    as ``schema=`` (what a user who knows the tables would pass); plan the second translation."""
    first = {str(p): translate_file(p, read, mode, {}) for p in sql_files(paths)}
    sources = Sources.collect(first, read, mode, ddl, data)
    files = {f: translate_file(Path(f), read, mode, sources.schema()) for f in first}
    plan_corpus(files, sources)
    return files, sources


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="SQL files or folders (every *.sql below)")
    ap.add_argument("--read", default="spark")
    ap.add_argument("--mode", choices=["streaming", "batch", "both"], default="both")
    ap.add_argument("--ddl", action="append", default=[], help="Flink DDL files / folders declaring source tables")
    ap.add_argument("--data", action="append", default=[], help="folders where CSV files named by the SQL are found")
    ap.add_argument("--json", help="write every verdict to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list reported and blocked statements")
    args = ap.parse_args(argv)
    root = str(Path(args.paths[0]).resolve()) if len(args.paths) == 1 else ""
    out: dict[str, Any] = {}
    silent = 0
    for mode in ("streaming", "batch") if args.mode == "both" else (args.mode,):
        files, sources = run([str(Path(p).resolve()) for p in args.paths], read=args.read, mode=mode, ddl=args.ddl, data=args.data)
        summary = summarize(files)
        _print(mode, files, summary, root, args.verbose)
        print("sources:", ", ".join(f"{k} ({v})" for k, v in sorted(sources.declared.items())) or "none")
        print("reading: ok = accepted by the planner; blocked = reads what the corpus failed to create or a table "
              "with no DDL; SILENT = translated with no error diagnostic, rejected by the planner (a shiftleft bug)")
        silent += summary["total"].get("silent", 0)
        out[mode] = summary | {"sources": sources.declared,
                               "statements": [s.__dict__ | {"reads": sorted(s.reads)} for st in files.values() for s in st]}  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main())
