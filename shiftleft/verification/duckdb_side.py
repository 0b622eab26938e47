"""The DuckDB side of a reconciliation: :class:`DuckDBSide` holds the input rows (CSV /
Parquet seed files, Python rows, or rows generated from a schema) in an embedded DuckDB, runs
the *source* SQL there (translated from its dialect to DuckDB by sqlglot), and exports the
tables as JSON lines for Flink; :func:`duckdb_type_to_flink` maps its column types.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from shiftleft.dialects import build
from shiftleft.errors import ConfigError, InputError
from shiftleft.sqlglot_objects import data_type
from shiftleft.verification.diff import ResultSet

_DUCKDB_SIMPLE = {
    "BOOLEAN": "BOOLEAN",
    "TINYINT": "TINYINT",
    "SMALLINT": "SMALLINT",
    "INTEGER": "INT",
    "BIGINT": "BIGINT",
    "HUGEINT": "DECIMAL(38, 0)",
    "UTINYINT": "SMALLINT",
    "USMALLINT": "INT",
    "UINTEGER": "BIGINT",
    "UBIGINT": "DECIMAL(20, 0)",
    "FLOAT": "FLOAT",
    "DOUBLE": "DOUBLE",
    "VARCHAR": "STRING",
    "DATE": "DATE",
    "TIME": "TIME(0)",
    "TIMESTAMP": "TIMESTAMP(6)",
    "TIMESTAMP_MS": "TIMESTAMP(3)",
    "TIMESTAMP_S": "TIMESTAMP(0)",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP_LTZ(6)",
    "BLOB": "BYTES",
    "UUID": "STRING",
    "INTERVAL": "STRING",
}


def duckdb_type_to_flink(type_: str) -> str:
    """The Flink type for a DuckDB column type (as DESCRIBE prints it)."""
    t = type_.strip().upper()
    if t in _DUCKDB_SIMPLE:
        return _DUCKDB_SIMPLE[t]
    if t.startswith("DECIMAL"):
        return t.replace(",", ", ")
    if t.endswith("[]"):
        return f"ARRAY<{duckdb_type_to_flink(t[:-2])}>"
    if t.startswith("MAP(") and t.endswith(")"):
        k, v = _split_top(t[4:-1])
        return f"MAP<{duckdb_type_to_flink(k)}, {duckdb_type_to_flink(v)}>"
    if t.startswith("STRUCT(") and t.endswith(")"):
        fields = []
        for part in _split_top(type_.strip()[7:-1]):
            name, _, ftype = part.strip().partition(" ")
            fields.append(f"{name.strip(chr(34))} {duckdb_type_to_flink(ftype)}")
        return f"ROW<{', '.join(fields)}>"
    raise ConfigError(f"DuckDB type {type_} has no Flink equivalent for seeding")


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _duckdb(tree: exp.Expr) -> str:
    """DuckDB text of a statement built here (names and strings quoted by DuckDB's dialect)."""
    return build.to_sql(tree, dialect="duckdb", pretty=False)


def _replace_table(table: str, query: exp.Expr) -> str:
    """``CREATE OR REPLACE TABLE table AS query``."""
    return _duckdb(exp.Create(this=build.table(table), kind="TABLE", replace=True, expression=query))


def _from(source: exp.Expr, columns: Sequence[exp.Expr] = (exp.Star(),)) -> exp.Select:
    return exp.Select(expressions=list(columns), from_=exp.From(this=source))


def to_duckdb_type(type_: str, dialect: str) -> str:
    """A schema type written in ``dialect`` (e.g. Spark ``ARRAY<STRING>``) as a DuckDB type."""
    return _duckdb(_duckdb_type(type_, dialect))


def _duckdb_type(type_: str, dialect: str) -> exp.DataType:
    try:
        return data_type(type_, dialect)
    except (sqlglot.errors.SqlglotError, ValueError) as exc:
        raise ConfigError(f"cannot read the column type {type_!r} ({exc})") from exc


class DuckDBSide:
    """The embedded DuckDB that holds the seed rows and runs the source SQL."""

    def __init__(self, con: Any = None) -> None:
        import duckdb

        self.con = con if con is not None else duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")

    # -- loading ------------------------------------------------------------------------------

    def load_file(self, table: str, path: str | Path) -> None:
        """Load a CSV (header row, types sniffed) or Parquet file as ``table``."""
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"seed file not found: {file}")
        suffix = file.suffix.lower()
        where = build.string(file.as_posix())
        if suffix == ".parquet":
            reader = exp.Anonymous(this="read_parquet", expressions=[where])
        elif suffix in (".csv", ".tsv", ".txt"):
            header = exp.EQ(this=build.column("header"), expression=exp.true())
            reader = exp.Anonymous(this="read_csv", expressions=[where, header])
        else:
            raise ConfigError(f"seed file {file} is neither CSV nor Parquet")
        self.con.execute(_replace_table(table, _from(exp.Table(this=reader))))

    def load_dir(self, directory: str | Path) -> list[str]:
        """Load every ``<table>.csv`` / ``<table>.parquet`` of ``directory``; return the tables."""
        folder = Path(directory)
        if not folder.is_dir():
            raise ConfigError(f"seed directory not found: {folder}")
        names = []
        for file in sorted(folder.iterdir()):
            if file.suffix.lower() in (".csv", ".parquet"):
                self.load_file(file.stem, file)
                names.append(file.stem)
        if not names:
            raise ConfigError(f"no .csv or .parquet seed files in {folder}")
        return names

    def load_rows(
        self,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        types: Mapping[str, str] | None = None,
        *,
        dialect: str = "duckdb",
    ) -> None:
        """Load Python rows (dicts); ``types`` (in ``dialect``) fix the column types, else
        DuckDB infers them from the values."""
        if types:
            cols = list(types)
            entries = [
                exp.ColumnDef(this=build.identifier(c), kind=_duckdb_type(t, dialect))
                for c, t in types.items()
            ]
            schema = exp.Schema(this=build.table(table), expressions=entries)
            self.con.execute(_duckdb(exp.Create(this=schema, kind="TABLE", replace=True)))
            if rows:
                marks = exp.Tuple(expressions=[exp.Placeholder() for _ in cols])
                insert = exp.Insert(this=build.table(table), expression=exp.Values(expressions=[marks]))
                self.con.executemany(_duckdb(insert), [[r.get(c) for c in cols] for r in rows])
            return
        if not rows:
            raise ConfigError(f"table {table}: no rows and no column types")
        cols = list(rows[0])
        values = exp.Values(
            expressions=[exp.Tuple(expressions=[_value(r.get(c)) for c in cols]) for r in rows],
            alias=exp.TableAlias(
                this=build.identifier("v"), columns=[build.identifier(c) for c in cols]
            ),
        )
        self.con.execute(_replace_table(table, _from(values)))

    def generate(
        self,
        schema: Mapping[str, Mapping[str, str]],
        *,
        rows: int = 50,
        seed: int = 0,
        dialect: str = "spark",
    ) -> None:
        """Create each table of ``schema`` with ``rows`` deterministic pseudo-random rows
        (small value ranges so that joins and GROUP BYs meet; about 10% NULLs, none in the
        first column, which counts 1, 2, ...)."""
        rng = random.Random(seed)
        for table, columns in schema.items():
            duck_types = {c: to_duckdb_type(t, dialect) for c, t in columns.items()}
            data = []
            for n in range(1, rows + 1):
                row = {}
                for k, (col, t) in enumerate(duck_types.items()):
                    row[col] = n if k == 0 and _is_int_type(t) else _random_value(t, rng, k > 0)
                data.append(row)
            self.load_rows(table, data, duck_types, dialect="duckdb")

    # -- reading ------------------------------------------------------------------------------

    def tables(self) -> list[str]:
        return [r[0] for r in self.con.execute("SHOW TABLES").fetchall()]

    def columns(self, table: str) -> list[tuple[str, str]]:
        """``(name, DuckDB type)`` of ``table``'s columns."""
        describe = _duckdb(exp.Describe(this=build.table(table)))
        return [(r[0], r[1]) for r in self.con.execute(describe).fetchall()]

    def flink_columns(self, table: str) -> list[tuple[str, str]]:
        return [(c, duckdb_type_to_flink(t)) for c, t in self.columns(table)]

    def export_json(self, table: str, path: str | Path, columns: Sequence[str] | None = None) -> Path:
        """Write ``table`` as JSON lines for Flink (timestamps with a zone in UTC)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        types = dict(self.columns(table))
        wanted = list(columns) if columns else list(types)
        select: list[exp.Expr] = []
        for c in wanted:
            t = types.get(c)
            if t is None:
                raise ConfigError(f"seed table {table} has no column {c}")
            if t.upper() == "TIMESTAMP WITH TIME ZONE":
                utc = exp.Anonymous(
                    this="timezone", expressions=[build.string("UTC"), build.column(c)]
                )
                text = exp.Anonymous(
                    this="strftime", expressions=[utc, build.string("%Y-%m-%d %H:%M:%S.%fZ")]
                )
                select.append(exp.Alias(this=text, alias=build.identifier(c)))
            else:
                select.append(build.column(c))
        copy = exp.Copy(
            this=exp.Subquery(this=_from(build.table(table), select)),
            kind=False,  # TO
            files=[build.string(target.as_posix())],
            params=[exp.CopyParameter(this=exp.var("FORMAT"), expression=exp.var("json"))],
        )
        self.con.execute(_duckdb(copy))
        return target

    def query(self, sql: str, *, read: str = "duckdb") -> ResultSet:
        """Run ``sql`` (in dialect ``read``, translated to DuckDB by sqlglot) and fetch rows."""
        text = sql
        if read != "duckdb":
            try:
                tree = sqlglot.parse(sql, read=read)[0]
                text = _duckdb(_as_source_engine(tree)) if tree is not None else ""
            except sqlglot.errors.SqlglotError as exc:
                raise InputError(f"cannot translate the source SQL to DuckDB: {exc}") from exc
        cursor = self.con.execute(text)
        if cursor.description is None:
            return ResultSet(columns=[], rows=[])
        columns = [d[0] for d in cursor.description]
        return ResultSet(columns=columns, rows=[tuple(r) for r in cursor.fetchall()])

    def execute(self, sql: str, *, read: str = "duckdb") -> None:
        self.query(sql, read=read)


def _as_source_engine(tree: exp.Expr) -> exp.Expr:
    """``tree`` with the functions DuckDB answers differently from Spark / Snowflake respelled
    so that DuckDB gives the source engine's answer: ``count_if(c)`` of a group whose
    conditions are all NULL is 0 there and NULL in DuckDB (``COUNT(CASE WHEN c THEN 1 END)``
    counts as they do)."""
    for node in list(tree.find_all(exp.CountIf)):
        counted = exp.Count(this=exp.Case(ifs=[exp.If(this=node.this, true=exp.Literal.number(1))]))
        node.replace(counted)
    return tree


def _is_int_type(t: str) -> bool:
    return t.upper() in ("TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "HUGEINT")


_WORDS = ("alpha", "beta", "gamma", "delta", "epsilon")


def _random_value(t: str, rng: random.Random, nullable: bool) -> Any:
    if nullable and rng.random() < 0.1:
        return None
    u = t.upper()
    if u.endswith("[]"):
        return [_random_value(t[:-2], rng, False) for _ in range(rng.randint(1, 3))]
    if _is_int_type(u):
        return rng.randint(0, 20)
    if u.startswith(("DECIMAL", "NUMERIC")):
        return decimal.Decimal(rng.randint(0, 100000)) / 100
    if u in ("DOUBLE", "FLOAT", "REAL"):
        return round(rng.uniform(0, 1000), 3)
    if u == "BOOLEAN":
        return rng.random() < 0.5
    if u == "DATE":
        return dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 60))
    if u.startswith("TIMESTAMP"):
        return dt.datetime(2024, 1, 1) + dt.timedelta(seconds=rng.randint(0, 60 * 86400))
    return rng.choice(_WORDS)


def _value(value: Any) -> exp.Expr:
    """A Python value as a DuckDB literal node."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float, decimal.Decimal)):
        return exp.Literal.number(repr(value) if isinstance(value, float) else str(value))
    if isinstance(value, dt.datetime):
        return exp.Cast(this=build.string(value.isoformat(sep=" ")), to=data_type("TIMESTAMP"))
    if isinstance(value, dt.date):
        return exp.Cast(this=build.string(value.isoformat()), to=data_type("DATE"))
    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[_value(v) for v in value])
    return build.string(str(value))
