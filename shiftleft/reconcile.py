"""Reconcile query results like a data-reconciliation tool: the DuckDB side, type
normalization and the row-level diff.

* :class:`DuckDBSide` holds the input rows (CSV / Parquet seed files, Python rows, or rows
  generated from a schema) in an embedded DuckDB, runs the *source* SQL there (translated
  from its dialect to DuckDB by sqlglot), and exports the tables as JSON lines for Flink.
* :func:`normalize_value` makes DuckDB's and Flink's Python values comparable: decimals and
  floats become floats (compared with a relative tolerance), timestamps with a zone become
  naive UTC, Flink ``Row`` values and lists become tuples, NULLs stay ``None`` (and are equal
  to each other).
* :func:`diff_results` compares the expected (DuckDB) and actual (Flink) rows as multisets
  (or, when the source query has a top-level ``ORDER BY``, also checks the order of the
  sort keys) and reports **missing** rows (expected, not produced), **extra** rows (produced,
  not expected) and **mismatched** rows (same key, different values), each with its key.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from shiftleft.errors import ConfigError, InputError

log = logging.getLogger(__name__)

DEFAULT_REL_TOL = 1e-6
MAX_REPORTED_ROWS = 20
"""How many missing / extra / mismatched rows a diff lists (the counts are always complete)."""


# --------------------------------------------------------------------------------------------
# Results and their normalization
# --------------------------------------------------------------------------------------------


class ResultSet(BaseModel):
    """Rows of one query, with column names (either engine)."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def normalize_value(value: Any) -> Any:
    """A comparable Python value: see the module docstring for the rules."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return tuple(sorted((str(k), normalize_value(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(normalize_value(v) for v in value)
    try:  # pyflink Row, numpy scalars, ...
        return tuple(normalize_value(v) for v in value)
    except TypeError:
        return str(value)


def normalize_row(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(normalize_value(v) for v in row)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bucket(value: Any, digits: int) -> Any:
    """A hashable approximation for exact-ish matching (numbers to ``digits`` significant)."""
    if _is_number(value):
        return float(f"{float(value):.{digits}g}")
    if isinstance(value, tuple):
        return tuple(_bucket(v, digits) for v in value)
    return value


def values_equal(
    a: Any, b: Any, rel_tol: float = DEFAULT_REL_TOL, abs_tol: float = 1e-9
) -> bool:
    """Equality of two normalized values: numbers with a relative tolerance (or ``abs_tol``,
    e.g. one unit of a decimal's last digit), NULL = NULL."""
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) and _is_number(b):
        return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(values_equal(x, y, rel_tol) for x, y in zip(a, b))
    return bool(a == b)


def _display(value: Any) -> Any:
    """A JSON-friendly rendering of a normalized value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return [_display(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --------------------------------------------------------------------------------------------
# The diff
# --------------------------------------------------------------------------------------------


class DiffRow(BaseModel):
    """A row only one side has."""

    key: dict[str, Any]
    row: dict[str, Any]


class MismatchedRow(BaseModel):
    """A row both sides have (same key) with different values."""

    key: dict[str, Any]
    columns: list[str] = Field(description="the columns whose values differ")
    expected: dict[str, Any]
    actual: dict[str, Any]


class RowDiff(BaseModel):
    """Row-level comparison of the expected (source on DuckDB) and actual (Flink) rows."""

    key_columns: list[str]
    expected_rows: int
    actual_rows: int
    matched_rows: int
    missing_count: int = 0
    extra_count: int = 0
    mismatched_count: int = 0
    missing: list[DiffRow] = Field(default_factory=list, description="expected, not produced")
    extra: list[DiffRow] = Field(default_factory=list, description="produced, not expected")
    mismatched: list[MismatchedRow] = Field(default_factory=list)
    column_count_mismatch: str | None = None
    order_mismatch: str | None = Field(
        default=None, description="set when ORDER BY applies and the rows come in another order"
    )
    ordered: bool = False

    @property
    def ok(self) -> bool:
        return not (
            self.missing_count
            or self.extra_count
            or self.mismatched_count
            or self.column_count_mismatch
            or self.order_mismatch
        )

    def summary(self) -> str:
        if self.ok:
            return f"{self.matched_rows} rows equal"
        parts = []
        if self.column_count_mismatch:
            parts.append(self.column_count_mismatch)
        if self.missing_count:
            parts.append(f"{self.missing_count} missing")
        if self.extra_count:
            parts.append(f"{self.extra_count} extra")
        if self.mismatched_count:
            cols = sorted({c for m in self.mismatched for c in m.columns})
            parts.append(f"{self.mismatched_count} mismatched (columns: {', '.join(cols)})")
        if self.order_mismatch:
            parts.append(self.order_mismatch)
        return (
            f"{'; '.join(parts)} (expected {self.expected_rows} rows, got {self.actual_rows}, "
            f"{self.matched_rows} equal)"
        )


def default_key_columns(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Key columns when none are given: the non-numeric columns (strings, dates, booleans)
    of the expected rows, else the first column."""
    keys: list[int] = []
    for k in range(len(columns)):
        sample = [r[k] for r in rows if r[k] is not None]
        if sample and all(not _is_number(v) for v in sample):
            keys.append(k)
    return keys or [0] if columns else []


def _resolve_keys(keys: Sequence[str | int] | None, columns: Sequence[str], rows: Any) -> list[int]:
    if not keys:
        return default_key_columns(columns, rows)
    lowered = [c.lower() for c in columns]
    out: list[int] = []
    for key in keys:
        if isinstance(key, int):
            if not 0 <= key < len(columns):
                raise ConfigError(f"key column index {key} is out of range")
            out.append(key)
        elif key.lower() in lowered:
            out.append(lowered.index(key.lower()))
        else:
            raise ConfigError(f"key column {key!r} is not a result column ({', '.join(columns)})")
    return out


def diff_results(
    expected: ResultSet,
    actual: ResultSet,
    *,
    ordered: bool = False,
    order_columns: Sequence[int] | None = None,
    keys: Sequence[str | int] | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
) -> RowDiff:
    """Compare ``expected`` and ``actual`` rows; columns are matched by position.

    ``ordered``: the order matters (top-level ORDER BY); ``order_columns`` are the positions
    of the sort keys (ties may come in any order); without them whole rows are compared in
    order.  ``keys`` name (or index) the columns that identify a row for pairing mismatched
    rows (default: :func:`default_key_columns`).
    """
    exp_rows = [normalize_row(r) for r in expected.rows]
    act_rows = [normalize_row(r) for r in actual.rows]
    abs_tols = _decimal_tolerances([*expected.rows, *actual.rows])
    columns = list(expected.columns)
    key_idx = _resolve_keys(keys, columns, exp_rows) if columns else []
    diff = RowDiff(
        key_columns=[columns[k] for k in key_idx],
        expected_rows=len(exp_rows),
        actual_rows=len(act_rows),
        matched_rows=0,
        ordered=ordered,
    )
    if len(expected.columns) != len(actual.columns):
        diff.column_count_mismatch = (
            f"expected {len(expected.columns)} columns ({', '.join(expected.columns)}), got "
            f"{len(actual.columns)} ({', '.join(actual.columns)})"
        )
        return diff

    digits = max(1, min(15, round(-math.log10(rel_tol)) if rel_tol > 0 else 15))
    # 1. exact-ish multiset matching on bucketed values
    pool: dict[Any, list[int]] = defaultdict(list)
    for i, row in enumerate(act_rows):
        pool[_bucket(row, digits)].append(i)
    unmatched_exp: list[int] = []
    matched_act: set[int] = set()
    for i, row in enumerate(exp_rows):
        bucket = pool.get(_bucket(row, digits))
        if bucket:
            matched_act.add(bucket.pop())
        else:
            unmatched_exp.append(i)
    unmatched_act = [i for i in range(len(act_rows)) if i not in matched_act]
    matched = len(exp_rows) - len(unmatched_exp)

    # 2. pair the rest by key; equal within tolerance counts as matched
    def key_of(row: tuple[Any, ...]) -> Any:
        return tuple(_bucket(row[k], digits) for k in key_idx)

    by_key: dict[Any, list[int]] = defaultdict(list)
    for i in unmatched_act:
        by_key[key_of(act_rows[i])].append(i)
    missing: list[int] = []
    mismatched: list[tuple[int, int, list[str]]] = []
    for i in unmatched_exp:
        candidates = by_key.get(key_of(exp_rows[i]))
        if not candidates:
            missing.append(i)
            continue
        # prefer a candidate equal within tolerance, else the one with fewest differences
        best, best_cols = None, None
        for j in candidates:
            cols = [
                columns[c]
                for c in range(len(columns))
                if not values_equal(exp_rows[i][c], act_rows[j][c], rel_tol, abs_tols.get(c, 1e-9))
            ]
            if best_cols is None or len(cols) < len(best_cols):
                best, best_cols = j, cols
            if not cols:
                break
        assert best is not None and best_cols is not None
        candidates.remove(best)
        if best_cols:
            mismatched.append((i, best, best_cols))
        else:
            matched += 1
    extra = [i for ids in by_key.values() for i in ids]
    extra.sort()
    # 3. leftovers (e.g. a numeric key off by a rounding digit): equal within tolerance?
    if missing and extra and len(missing) * len(extra) <= 1_000_000:
        still_missing = []
        for i in missing:
            hit = next(
                (
                    j
                    for j in extra
                    if all(
                        values_equal(exp_rows[i][c], act_rows[j][c], rel_tol, abs_tols.get(c, 1e-9))
                        for c in range(len(columns))
                    )
                ),
                None,
            )
            if hit is None:
                still_missing.append(i)
            else:
                extra.remove(hit)
                matched += 1
        missing = still_missing

    def as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
        return {c: _display(v) for c, v in zip(_unique(columns), row)}

    def key_dict(row: tuple[Any, ...]) -> dict[str, Any]:
        names = _unique(columns)
        return {names[k]: _display(row[k]) for k in key_idx}

    diff.matched_rows = matched
    diff.missing_count, diff.extra_count, diff.mismatched_count = (
        len(missing),
        len(extra),
        len(mismatched),
    )
    diff.missing = [
        DiffRow(key=key_dict(exp_rows[i]), row=as_dict(exp_rows[i]))
        for i in missing[:MAX_REPORTED_ROWS]
    ]
    diff.extra = [
        DiffRow(key=key_dict(act_rows[i]), row=as_dict(act_rows[i]))
        for i in extra[:MAX_REPORTED_ROWS]
    ]
    diff.mismatched = [
        MismatchedRow(
            key=key_dict(exp_rows[i]),
            columns=cols,
            expected=as_dict(exp_rows[i]),
            actual=as_dict(act_rows[j]),
        )
        for i, j, cols in mismatched[:MAX_REPORTED_ROWS]
    ]
    if ordered and not (missing or extra or mismatched):
        diff.order_mismatch = _order_difference(exp_rows, act_rows, order_columns, rel_tol)
    return diff


def _decimal_tolerances(rows: Sequence[Sequence[Any]]) -> dict[int, float]:
    """Per column holding decimals: one unit of the smallest scale seen on either side, so
    that ``0.0500813...`` (DuckDB double) equals ``0.050081`` (Flink DECIMAL(38, 6))."""
    scales: dict[int, int] = {}
    for row in rows:
        for k, value in enumerate(row):
            if isinstance(value, decimal.Decimal) and value.is_finite():
                exponent = value.as_tuple().exponent
                scale = -exponent if isinstance(exponent, int) else 0
                scales[k] = min(scales.get(k, scale), scale)
    return {k: max(1e-9, 0.5 * 10.0**-s * (1 + 1e-9)) for k, s in scales.items()}


def _unique(columns: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        n = seen.get(c, 0)
        seen[c] = n + 1
        out.append(c if n == 0 else f"{c}_{n + 1}")
    return out


def _order_difference(
    exp_rows: Sequence[tuple[Any, ...]],
    act_rows: Sequence[tuple[Any, ...]],
    order_columns: Sequence[int] | None,
    rel_tol: float,
) -> str | None:
    for pos, (e, a) in enumerate(zip(exp_rows, act_rows), start=1):
        idx = order_columns if order_columns else range(len(e))
        if not all(values_equal(e[k], a[k], rel_tol) for k in idx):
            return f"rows come in a different order (first at row {pos})"
    return None


# --------------------------------------------------------------------------------------------
# ORDER BY analysis of the source query
# --------------------------------------------------------------------------------------------


def top_level_order(sql: str, dialect: str) -> tuple[bool, list[int] | None]:
    """Whether the query has a top-level ORDER BY, and the output positions of its sort keys
    (None when a sort key is not an output column)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return False, None
    if isinstance(tree, exp.Insert):
        tree = tree.expression
    order = tree.args.get("order") if isinstance(tree, exp.Query) else None
    if not order:
        return False, None
    select = tree if isinstance(tree, exp.Select) else None
    if select is None:
        return True, None
    outputs = select.expressions
    names = [e.alias_or_name.lower() for e in outputs]
    positions: list[int] = []
    for ordered_expr in order.expressions:
        key = ordered_expr.this
        if isinstance(key, exp.Literal) and key.is_int:
            positions.append(int(key.name) - 1)
            continue
        if isinstance(key, exp.Column) and key.name.lower() in names:
            positions.append(names.index(key.name.lower()))
            continue
        text = key.sql(dialect=dialect).lower()
        match = [k for k, e in enumerate(outputs) if e.unalias().sql(dialect=dialect).lower() == text]
        if not match:
            return True, None
        positions.append(match[0])
    return True, positions


# --------------------------------------------------------------------------------------------
# The DuckDB side
# --------------------------------------------------------------------------------------------

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


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_duckdb_type(type_: str, dialect: str) -> str:
    """A schema type written in ``dialect`` (e.g. Spark ``ARRAY<STRING>``) as a DuckDB type."""
    try:
        return exp.DataType.build(type_, dialect=dialect).sql(dialect="duckdb")
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
        if suffix == ".parquet":
            reader = f"read_parquet({_sql_literal(file.as_posix())})"
        elif suffix in (".csv", ".tsv", ".txt"):
            reader = f"read_csv({_sql_literal(file.as_posix())}, header = true)"
        else:
            raise ConfigError(f"seed file {file} is neither CSV nor Parquet")
        self.con.execute(f"CREATE OR REPLACE TABLE {_q(table)} AS SELECT * FROM {reader}")

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
            ddl = ", ".join(f"{_q(c)} {to_duckdb_type(t, dialect)}" for c, t in types.items())
            self.con.execute(f"CREATE OR REPLACE TABLE {_q(table)} ({ddl})")
            if rows:
                marks = ", ".join("?" for _ in cols)
                self.con.executemany(
                    f"INSERT INTO {_q(table)} VALUES ({marks})",
                    [[r.get(c) for c in cols] for r in rows],
                )
            return
        if not rows:
            raise ConfigError(f"table {table}: no rows and no column types")
        cols = list(rows[0])
        values = ", ".join(
            "(" + ", ".join(_sql_value(r.get(c)) for c in cols) + ")" for r in rows
        )
        names = ", ".join(_q(c) for c in cols)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {_q(table)} AS SELECT * FROM (VALUES {values}) AS v({names})"
        )

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
        return [(r[0], r[1]) for r in self.con.execute(f"DESCRIBE {_q(table)}").fetchall()]

    def flink_columns(self, table: str) -> list[tuple[str, str]]:
        return [(c, duckdb_type_to_flink(t)) for c, t in self.columns(table)]

    def export_json(self, table: str, path: str | Path, columns: Sequence[str] | None = None) -> Path:
        """Write ``table`` as JSON lines for Flink (timestamps with a zone in UTC)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        types = dict(self.columns(table))
        wanted = list(columns) if columns else list(types)
        select = []
        for c in wanted:
            t = types.get(c)
            if t is None:
                raise ConfigError(f"seed table {table} has no column {c}")
            if t.upper() == "TIMESTAMP WITH TIME ZONE":
                select.append(
                    f"strftime(timezone('UTC', {_q(c)}), '%Y-%m-%d %H:%M:%S.%fZ') AS {_q(c)}"
                )
            else:
                select.append(_q(c))
        self.con.execute(
            f"COPY (SELECT {', '.join(select)} FROM {_q(table)}) TO "
            f"{_sql_literal(target.as_posix())} (FORMAT json)"
        )
        return target

    def query(self, sql: str, *, read: str = "duckdb") -> ResultSet:
        """Run ``sql`` (in dialect ``read``, translated to DuckDB by sqlglot) and fetch rows."""
        text = sql
        if read != "duckdb":
            try:
                text = sqlglot.transpile(sql, read=read, write="duckdb")[0]
            except sqlglot.errors.SqlglotError as exc:
                raise InputError(f"cannot translate the source SQL to DuckDB: {exc}") from exc
        cursor = self.con.execute(text)
        if cursor.description is None:
            return ResultSet(columns=[], rows=[])
        columns = [d[0] for d in cursor.description]
        return ResultSet(columns=columns, rows=[tuple(r) for r in cursor.fetchall()])

    def execute(self, sql: str, *, read: str = "duckdb") -> None:
        self.query(sql, read=read)


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


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, decimal.Decimal)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP {_sql_literal(value.isoformat(sep=' '))}"
    if isinstance(value, dt.date):
        return f"DATE {_sql_literal(value.isoformat())}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_sql_value(v) for v in value) + "]"
    return _sql_literal(str(value))
