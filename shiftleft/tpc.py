"""TPC-H / TPC-DS as a regression suite for the translation (used by the tests and by
``benchmarks/tpch_verify.py`` / ``benchmarks/tpcds_verify.py``).

Queries and data come from DuckDB's ``tpch`` / ``tpcds`` extensions (loaded from the
``duckdb-extension-*`` wheels, no download).  Each query is translated by shiftleft
(``read="duckdb"``, batch), planned on the embedded Flink 2.3 and run there over the same
rows as DuckDB; results are compared with :func:`shiftleft.verification.diff.diff_results`.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from shiftleft.errors import ShiftleftError
from shiftleft.flink_engine.planner import FlinkPlanner
from shiftleft.flink_engine.runner import FlinkExecutionError, FlinkRunner, seed_table_ddl
from shiftleft.options import TranspileOptions
from shiftleft.pipeline import transpile
from shiftleft.verification.diff import ResultSet, diff_results, top_level_order
from shiftleft.verification.duckdb_side import DuckDBSide

log = logging.getLogger(__name__)

Benchmark = Literal["tpch", "tpcds"]
Status = Literal["equal", "different", "plan_error", "run_error", "translate_error", "source_error"]


class TpcOutcome(BaseModel):
    """The verification of one TPC query."""

    query: int
    planned: bool
    status: Status
    reason: str | None = None
    expected_rows: int | None = None
    actual_rows: int | None = None
    seconds: float = 0.0

    @property
    def equal(self) -> bool:
        return self.status == "equal"


def tpc_connection(benchmark: Benchmark, sf: float = 0.01) -> Any:
    """A DuckDB connection with the benchmark's tables generated at scale factor ``sf``."""
    import duckdb
    from duckdb_extensions import import_extension

    con = duckdb.connect()
    import_extension(benchmark, con=con)
    con.sql(f"LOAD {benchmark}")
    con.sql(f"CALL {'dbgen' if benchmark == 'tpch' else 'dsdgen'}(sf={sf})")
    return con


def tpc_queries(con: Any, benchmark: Benchmark) -> list[tuple[int, str]]:
    """``(number, SQL)`` of every query of the benchmark."""
    return [
        (int(n), str(q))
        for n, q in con.sql(f"SELECT query_nr, query FROM {benchmark}_queries() ORDER BY 1").fetchall()
    ]


def run_tpc(
    benchmark: Benchmark,
    *,
    sf: float = 0.01,
    queries: Sequence[int] | None = None,
    planner: Any = None,
    progress: Callable[[TpcOutcome], None] | None = None,
    timeout_s: float = 60.0,
) -> list[TpcOutcome]:
    """Translate, plan and reconcile the benchmark's queries on Flink batch.

    ``timeout_s`` bounds each query's run on Flink (the job is cancelled past it and the
    query reported as a ``run_error``).
    """
    con = tpc_connection(benchmark, sf)
    side = DuckDBSide(con)
    planner = planner or FlinkPlanner()
    runner = FlinkRunner(planner, timeout_s=timeout_s)
    workdir = Path(tempfile.mkdtemp(prefix=f"shiftleft-{benchmark}-"))
    outcomes: list[TpcOutcome] = []
    try:
        setup = []
        for table in side.tables():
            path = side.export_json(table, workdir / table / "data.json")
            setup.append(seed_table_ddl(table, side.flink_columns(table), path.parent))
        env = runner.environment("batch", setup)
        # the column types, as a user would pass them: rules need them (date + n, typed NULLs)
        schema: dict[str, dict[str, str]] = {}
        for table, column, kind in con.sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
        ).fetchall():
            schema.setdefault(table, {})[column] = kind
        bench = _Bench(
            side, planner, runner, env, setup,
            TranspileOptions.of(read="duckdb", target="flink", mode="batch", schema=schema),
        )
        wanted = set(queries) if queries else None
        for number, sql in tpc_queries(con, benchmark):
            if wanted is not None and number not in wanted:
                continue
            t0 = time.perf_counter()
            outcome = bench.one(number, sql)
            outcome.seconds = round(time.perf_counter() - t0, 2)
            log.info("%s q%d: %s %s", benchmark, number, outcome.status, outcome.reason or "")
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        con.close()
    return outcomes


def _first_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.strip().split())
    return line[:limit] + (" ..." if len(line) > limit else "")


@dataclass
class _Bench:
    """What every query of a run shares: the input rows on both engines, the options."""

    side: DuckDBSide
    planner: FlinkPlanner
    runner: FlinkRunner
    env: Any
    setup: list[str]
    options: TranspileOptions

    def one(self, number: int, sql: str) -> TpcOutcome:
        """Translate, plan, run and compare one query."""
        try:
            result = transpile(sql, self.options)
        except ShiftleftError as exc:
            return TpcOutcome(query=number, planned=False, status="translate_error",
                              reason=_first_line(str(exc)))
        flink_sql = "\n".join(s.sql for s in result.statements)
        report = self.planner.plan(";\n".join([*self.setup, flink_sql]) + ";", "batch")
        if not report.ok:
            err = report.errors[0]
            return TpcOutcome(query=number, planned=False, status="plan_error",
                              reason=_first_line(f"Flink planner: {err.message}"))
        try:
            expected = self.side.query(sql)
        except Exception as exc:  # noqa: BLE001
            return TpcOutcome(query=number, planned=True, status="source_error",
                              reason=_first_line(str(exc)))
        try:
            got = self.runner.query(self.env, flink_sql)
        except FlinkExecutionError as exc:
            return TpcOutcome(query=number, planned=True, status="run_error",
                              reason=_first_line(f"Flink runtime: {exc.error.message}"),
                              expected_rows=len(expected.rows))
        ordered, order_cols = top_level_order(sql, "duckdb")
        diff = diff_results(expected, ResultSet(columns=got.columns, rows=got.rows),
                            ordered=ordered, order_columns=order_cols)
        reason = None
        if not diff.ok:
            reason = diff.summary()
            if diff.mismatched:
                m = diff.mismatched[0]
                c = m.columns[0]
                reason += f"; e.g. {c}: expected {m.expected[c]!r}, got {m.actual[c]!r}"
            reason = _first_line(reason, 400)
        return TpcOutcome(query=number, planned=True, status="equal" if diff.ok else "different",
                          reason=reason, expected_rows=len(expected.rows),
                          actual_rows=len(got.rows))


def summary_counts(outcomes: Sequence[TpcOutcome]) -> dict[str, int]:
    counts = Counter(o.status for o in outcomes)
    return {
        "queries": len(outcomes),
        "planned": sum(o.planned for o in outcomes),
        "equal": counts.get("equal", 0),
        **{k: v for k, v in sorted(counts.items()) if k != "equal"},
    }


def markdown_report(outcomes: Sequence[TpcOutcome], title: str) -> str:
    """A Markdown table (one row per query) and the summary counts."""
    lines = [f"# {title}", "", "| query | planned | status | rows (DuckDB / Flink) | seconds | reason |",
             "|---:|:---:|---|---|---:|---|"]
    for o in outcomes:
        rows = f"{o.expected_rows if o.expected_rows is not None else '-'} / " \
               f"{o.actual_rows if o.actual_rows is not None else '-'}"
        reason = (o.reason or "").replace("|", "\\|")
        lines.append(f"| {o.query} | {'yes' if o.planned else 'no'} | {o.status} | {rows} | "
                     f"{o.seconds} | {reason} |")
    counts = summary_counts(outcomes)
    lines += ["", "## Summary", "", "| | count |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in counts.items()]
    return "\n".join(lines) + "\n"
