"""Run Spark expressions on PySpark and their shiftleft translations on Flink, over the same rows.

Many expressions are evaluated in one SELECT (one Spark job, one Flink job); when a batch
fails, it is split in halves until the failing expressions are isolated, so one raising
expression costs O(log n) extra jobs, not a job per expression.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import shiftleft
from shiftleft.flink_engine.runner import FlinkRunner, seed_table_ddl, write_json_lines

# (name, Spark type, Flink type) of the generated table ``t``
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "INT", "INT"),
    ("g", "INT", "INT"),
    ("s", "STRING", "STRING"),
    ("s2", "STRING", "STRING"),
    ("ds", "STRING", "STRING"),
    ("i", "INT", "INT"),
    ("j", "INT", "INT"),
    ("l", "BIGINT", "BIGINT"),
    ("x", "DOUBLE", "DOUBLE"),
    ("dec", "DECIMAL(10,2)", "DECIMAL(10, 2)"),
    ("d", "DATE", "DATE"),
    ("d2", "DATE", "DATE"),
    ("ts", "TIMESTAMP", "TIMESTAMP(3)"),
    ("b", "BOOLEAN", "BOOLEAN"),
)
SCHEMA = {"t": {name: spark for name, spark, _ in COLUMNS}}


class Failed:
    """An engine raised for this expression (over the whole row set)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"Failed({self.message[:200]!r})"


Outcome = list[Any] | Failed


def translate(expr: str, *, aggregate: bool = False) -> tuple[str | None, list[str]]:
    """The Flink form of one Spark expression (None when shiftleft reports an error)."""
    tail = " FROM t GROUP BY g" if aggregate else " FROM t"
    result = shiftleft.transpile(f"SELECT {expr} AS c{tail}", read="spark", mode="batch", schema=SCHEMA)
    errors = [f"{d.rule_id}: {d.message}" for d in result.diagnostics if d.severity.value == "error"]
    warnings = [f"{d.rule_id}: {d.message}" for d in result.diagnostics if d.severity.value == "warning"]
    if errors:
        return None, errors
    text = result.statements[0].sql.strip().rstrip(";")
    m = re.fullmatch(r"SELECT (.*) AS c" + re.escape(tail), text, re.S)
    if not m:
        return None, [f"unexpected translation shape: {text}"]
    return m.group(1), warnings


def _bisect(run: Callable[[list[str]], list[list[Any]]], exprs: list[str]) -> list[Outcome]:
    """Columns of values per expression; a Failed for each expression that raises alone."""
    try:
        return list(run(exprs))
    except Exception as exc:  # noqa: BLE001 - an engine error of the batch
        if len(exprs) == 1:
            return [Failed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)]
    half = len(exprs) // 2
    return _bisect(run, exprs[:half]) + _bisect(run, exprs[half:])


class SparkSide:
    def __init__(self, spark: Any, rows: Sequence[dict[str, Any]]) -> None:
        self.spark = spark
        ddl = ", ".join(f"{n} {t}" for n, t, _ in COLUMNS)
        frame = spark.createDataFrame([tuple(r[n] for n, _, _ in COLUMNS) for r in rows], ddl)
        frame.createOrReplaceTempView("t")

    def evaluate(
        self, exprs: list[str], *, aggregate: bool = False, ansi: bool = True
    ) -> list[Outcome]:
        def run(batch: list[str]) -> list[list[Any]]:
            cols = ", ".join(f"{e} AS c{k}" for k, e in enumerate(batch))
            key, tail = ("g", " GROUP BY g") if aggregate else ("id", "")
            rows = self.spark.sql(f"SELECT {key} AS k_, {cols} FROM t{tail}").collect()
            rows = sorted(rows, key=lambda r: r[0])
            return [[r[k + 1] for r in rows] for k in range(len(batch))]

        self.spark.conf.set("spark.sql.ansi.enabled", "true" if ansi else "false")
        try:
            return _bisect(run, exprs)
        finally:
            self.spark.conf.set("spark.sql.ansi.enabled", "true")

    def evaluate_ansi(
        self, exprs: list[str], may_raise: set[int], *, aggregate: bool = False
    ) -> tuple[list[Outcome], list[Outcome]]:
        """(ANSI results, ANSI-off results).  ``may_raise``: indexes of expressions expected to
        raise under ANSI on these rows; they run one per job, the rest in one batch (bisected
        when something else raises), so a raise costs one job, not a bisection."""
        lenient = self.evaluate(exprs, aggregate=aggregate, ansi=False)
        rest = [k for k in range(len(exprs)) if k not in may_raise]
        strict: dict[int, Outcome] = dict(zip(rest, self.evaluate([exprs[k] for k in rest], aggregate=aggregate)))
        for k in sorted(may_raise):
            strict[k] = self.evaluate([exprs[k]], aggregate=aggregate)[0]
        return [strict[k] for k in range(len(exprs))], lenient


class FlinkSide:
    def __init__(self, runner: FlinkRunner, rows: Sequence[dict[str, Any]], folder: Path) -> None:
        self.runner = runner
        path = write_json_lines(folder / "t.json", (_json_row(r) for r in rows))
        self.ddl = seed_table_ddl("t", [(n, f) for n, _, f in COLUMNS], path)

    def evaluate(self, exprs: list[str], *, aggregate: bool = False) -> list[Outcome]:
        def run(batch: list[str]) -> list[list[Any]]:
            cols = ", ".join(f"{e} AS c{k}" for k, e in enumerate(batch))
            key, tail = ("g", " GROUP BY g") if aggregate else ("id", "")
            env = self.runner.environment("batch", [self.ddl])
            result = self.runner.query(env, f"SELECT {key} AS k_, {cols} FROM t{tail}")
            rows = sorted(result.rows, key=lambda r: r[0])
            return [[r[k + 1] for r in rows] for k in range(len(batch))]

        return _bisect(run, exprs)


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
        elif isinstance(value, (dt.date, Decimal)):
            value = str(value)
        out[name] = value
    return out


def normalize(value: Any) -> Any:
    """A comparable form of an engine value (floats rounded to 9 significant digits)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (float, Decimal)):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return str(f)
        return float(f"{f:.9g}") if f != 0 else 0.0
    if isinstance(value, int):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return tuple(sorted((normalize(k), normalize(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(normalize(v) for v in value)
    if hasattr(value, "__iter__") and not isinstance(value, str):
        return tuple(normalize(v) for v in value)
    return value


def differences(spark: list[Any], flink: list[Any], ids: Sequence[Any]) -> list[str]:
    """Rows whose normalized values differ, as ``id: spark != flink`` lines."""
    out = []
    for key, a, b in zip(ids, spark, flink):
        if normalize(a) != normalize(b):
            out.append(f"row {key}: spark={a!r} flink={b!r}")
    if len(spark) != len(flink):
        out.append(f"row counts differ: spark {len(spark)}, flink {len(flink)}")
    return out


def exact_run(
    spark: Any, runner: FlinkRunner, env: Any, exprs: Sequence[str], flink_exprs: Sequence[str], *, aggregate: bool,
    ansi: bool = False,
) -> dict[str, list[str]]:
    """Run ``exprs`` on Spark (ANSI off by default: the NULL-on-error policy) and ``flink_exprs`` on Flink
    over table ``t`` (keyed by ``id``, or grouped by ``g``), and compare values exactly (Decimal
    equality for numbers) and DECIMAL result types.  Returns the differences per expression."""
    key, tail = ("g", " GROUP BY g") if aggregate else ("id", "")

    def cols(es: Sequence[str]) -> str:
        return ", ".join(f"{e} AS c{k}" for k, e in enumerate(es))

    spark.conf.set("spark.sql.ansi.enabled", "true" if ansi else "false")
    try:
        frame = spark.sql(f"SELECT {key} AS k_, {cols(exprs)} FROM t{tail}")
        spark_rows = sorted(frame.collect(), key=lambda r: r[0])
        spark_types = [f.dataType.simpleString().upper().replace(",", ", ") for f in frame.schema.fields[1:]]
    finally:
        spark.conf.set("spark.sql.ansi.enabled", "true")
    flink = runner.query(env, f"SELECT {key} AS k_, {cols(flink_exprs)} FROM t{tail}")
    flink_rows = sorted(flink.rows, key=lambda r: r[0])
    problems: dict[str, list[str]] = {}
    for k, expr in enumerate(exprs):
        found = []
        flink_type = flink.types[k + 1].replace(" NOT NULL", "")
        if spark_types[k].startswith("DECIMAL") and spark_types[k] != flink_type:
            found.append(f"type spark {spark_types[k]} flink {flink_type} ({flink_exprs[k]})")
        for srow, frow in zip(spark_rows, flink_rows):
            a, b = srow[k + 1], frow[k + 1]
            if isinstance(a, (int, float, Decimal)) and not isinstance(a, bool) and b is not None:
                same = Decimal(str(a)) == Decimal(str(b))
            else:
                same = a == b
            if not same:
                found.append(f"{key}={srow[0]}: spark {a!r} flink {b!r} ({flink_exprs[k]})")
        if found:
            problems[expr] = found[:3]
    if len(spark_rows) != len(flink_rows):
        problems["<rows>"] = [f"spark {len(spark_rows)} rows, flink {len(flink_rows)}"]
    return problems


def translate_strict(expr: str, tail: str, schema: dict[str, dict[str, str]], disable: Sequence[str] = ()) -> str:
    """The Flink form of ``SELECT <expr> AS c<tail>``'s expression; fails on an error diagnostic."""
    result = shiftleft.transpile(f"SELECT {expr} AS c{tail}", read="spark", mode="batch", schema=schema,
                                 disable=list(disable))
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    text = result.statements[0].sql.strip().rstrip(";")
    m = re.fullmatch(r"SELECT (.*) AS c" + re.escape(tail), text, re.S)
    assert m, text
    return m.group(1)


def draw_rows(row: Any, *, min_size: int = 45, max_size: int = 50) -> list[dict[str, Any]]:
    """Rows drawn (deterministically) from the hypothesis strategy ``row`` of dicts: five lists
    of ``min_size``-``max_size`` rows, numbered by an ``id`` key."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    drawn: list[dict[str, Any]] = []

    @settings(max_examples=5, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(row, min_size=min_size, max_size=max_size))
    def draw(rows: list[dict[str, Any]]) -> None:
        drawn.extend(rows)

    draw()
    return [{"id": k, **r} for k, r in enumerate(drawn)]


def flink_form(expr: str, *, read: str, schema: dict[str, dict[str, str]], head: str = "") -> tuple[str, set[str]]:
    """The Flink form of ``SELECT {head}{expr} AS c FROM t`` read as ``read`` (asserting no error
    diagnostic) and the ids of its warnings."""
    result = shiftleft.transpile(f"SELECT {head}{expr} AS c FROM t", read=read, mode="batch", schema=schema)
    errors = [d for d in result.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    text = result.statements[0].sql.strip().rstrip(";")
    m = re.fullmatch(r"SELECT " + re.escape(head) + r"(.*) AS c FROM t", text, re.S)
    assert m, text
    return m.group(1), {d.rule_id for d in result.diagnostics if d.severity.value == "warning"}


def temporal_table(spark: Any, planner: Any, folder: Path, rows: Sequence[dict[str, Any]]) -> tuple[FlinkRunner, Any]:
    """Table ``t`` (id INT, d DATE, ts TIMESTAMP, s STRING) of ``rows`` on PySpark (a temp view)
    and in a Flink batch environment (JSON lines in ``folder``, milliseconds kept): (runner, env)."""
    spark.createDataFrame([(r["id"], r["d"], r["ts"], r["s"]) for r in rows],
                          "id INT, d DATE, ts TIMESTAMP, s STRING").createOrReplaceTempView("t")
    path = write_json_lines(folder / "t.json", (
        {**r, "d": r["d"] and r["d"].isoformat(),
         "ts": r["ts"] and r["ts"].strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]} for r in rows))
    ddl = seed_table_ddl("t", [("id", "INT"), ("d", "DATE"), ("ts", "TIMESTAMP(3)"), ("s", "STRING")], path)
    runner = FlinkRunner(planner, timeout_s=120)
    return runner, runner.environment("batch", [ddl])
