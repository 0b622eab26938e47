"""Cost of ``migrate`` with and without ``--plan``: fixed cost (JVM, TableEnvironment) and
per-table planning cost (DDL, DML), measured separately, in one process.

    python benchmarks/plan_bench.py                          # a generated 400-model project
    python benchmarks/plan_bench.py --models 100             # smaller
    python benchmarks/plan_bench.py --project DIR --read snowflake   # a real dbt project

Figures:

* static: ``shiftleft.migrate(project, out, jobs=1, plan=False)`` per model, wall and CPU time
  (this process); of that CPU, the dbt-style rendering (``Renderer.render``: Jinja); and the
  CPU time of sqlglot's round trip (parse + generate) of the same rendered SQL.  "Beyond" is
  migrate's CPU minus rendering minus the round trip: what migrate costs beyond rendering a
  model and reading / printing its SQL (target <= 10 ms per model).
* fixed: starting the JVM with the connector jars, the first ``TableEnvironment`` and a
  first statement (what every ``--plan`` run pays once; wall time).
* per table: :func:`shiftleft.migration.planning.plan_tables` over the migrated tables in DAG
  order in one session (as ``migrate(plan=True)`` does): each table's wall time (its DDL,
  then its DML), their sum, median and the slowest, and the CPU time of the planner's JVM
  (from /proc: the JVM works in threads outside this process's accounting; unlike wall time
  it does not grow with the load of a shared machine).  Projections to 400 tables: from the
  wall times, and from CPU times (fixed + 400 x (JVM CPU + this process's CPU per table +
  static CPU per model): the wall time on an idle machine, no step overlapping another).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import report
import sqlglot
from project_gen import generate_project

from shiftleft.migration.render import Renderer

import shiftleft

logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _round_trip_s(sql: list[str], read: str) -> float:
    start = time.process_time()
    for text in sql:
        try:
            for e in sqlglot.parse(text, read=read):
                if e is not None:
                    e.sql(read)
        except sqlglot.errors.SqlglotError:
            pass
    return time.process_time() - start


class _RenderClock:
    """CPU time spent in dbt-style rendering (``Renderer.render``, Jinja) while active."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._render = Renderer.render

    def __enter__(self) -> "_RenderClock":
        clock, render = self, self._render

        def timed(renderer, *args, **kwargs):  # type: ignore[no-untyped-def]
            began = time.process_time()
            try:
                return render(renderer, *args, **kwargs)
            finally:
                clock.seconds += time.process_time() - began

        Renderer.render = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc: object) -> None:
        Renderer.render = self._render  # type: ignore[method-assign]


def _jvm_cpu_s() -> float:
    """CPU seconds (user + system) of this process's child processes (the planner's JVM)
    so far, from /proc (0 where there is no /proc): unlike wall time, it does not grow with
    the machine's load."""
    total, tick, me = 0.0, os.sysconf("SC_CLK_TCK"), os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run(project: Path | None, models: int, read: str | None, plan: bool = True) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        if project is None:
            project = generate_project(Path(tmp) / "project", models)
            read = read or "spark"
        warm = generate_project(Path(tmp) / "warm", 20)
        shiftleft.migrate(warm, None, read="spark", jobs=1, plan=False)  # load Jinja and the modules once
        start, cpu = time.perf_counter(), time.process_time()
        with _RenderClock() as rendering:
            result = shiftleft.migrate(project, Path(tmp) / "out", read=read, jobs=1, plan=False)
        static_s, static_cpu_s = time.perf_counter() - start, time.process_time() - cpu
        rendered = [t.rendered_sql for t in result.tables if t.rendered_sql]
        base_s = _round_trip_s(rendered, result.read)
        n = len(result.tables)
        out: dict = {
            "project": str(project) if models == 0 else f"project_gen.py, {models} models",
            "tables": n,
            "rendered": len(rendered),
            "static_s": round(static_s, 2),
            "static_ms_per_model": round(static_s * 1000 / max(n, 1), 2),
            "static_cpu_ms_per_model": round(static_cpu_s * 1000 / max(n, 1), 2),
            "render_ms_per_model": round(rendering.seconds * 1000 / max(n, 1), 2),
            "sqlglot_ms_per_model": round(base_s * 1000 / max(len(rendered), 1), 2),
        }
        if not plan:
            return out
        from shiftleft.migration.planning import plan_tables
        from shiftleft.verification import default_planner

        start = time.perf_counter()
        planner = default_planner(connectors=True)
        planner.start()
        jvm_s = time.perf_counter() - start
        session = planner.session("streaming")
        session.plan("SELECT 1")
        fixed_s = time.perf_counter() - start
        spent = {"ddl": [0.0, 0], "dml": [0.0, 0]}
        plan_one = session.plan

        def timed(sql: str, **kw):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return plan_one(sql, **kw)
            finally:
                kind = spent["ddl" if sql.lstrip().upper().startswith("CREATE") else "dml"]
                kind[0] += time.perf_counter() - began
                kind[1] += 1

        session.plan = timed  # type: ignore[method-assign]
        start, jvm_cpu, cpu = time.perf_counter(), _jvm_cpu_s(), time.process_time()
        plans = plan_tables(result.tables, session)
        tables_s, jvm_cpu = time.perf_counter() - start, _jvm_cpu_s() - jvm_cpu
        cpu = time.process_time() - cpu
        planned = max(len(plans), 1)
        per = sorted(p.elapsed_ms for p in plans)
        out.update({
            "jvm_s": round(jvm_s, 2),
            "fixed_s": round(fixed_s, 2),
            "planned_tables": len(plans),
            "planning_s": round(tables_s, 2),
            "ms_per_table_mean": round(tables_s * 1000 / max(len(plans), 1), 1),
            "jvm_cpu_ms_per_table": round(jvm_cpu * 1000 / planned, 1),
            "python_cpu_ms_per_table": round(cpu * 1000 / planned, 1),
            "ms_per_table_median": round(statistics.median(per), 1) if per else None,
            "ms_per_table_max": per[-1] if per else None,
            "ok_tables": sum(1 for p in plans if p.ok),
            "ddl_statements": spent["ddl"][1],
            "ms_per_ddl": round(spent["ddl"][0] * 1000 / max(spent["ddl"][1], 1), 1),
            "dml_statements": spent["dml"][1],
            "ms_per_dml": round(spent["dml"][0] * 1000 / max(spent["dml"][1], 1), 1),
            "projected_400_s": round(fixed_s + 400 * tables_s / planned + 400 * static_s / max(n, 1), 1),
            "projected_400_cpu_s": round(
                fixed_s + 400 * (jvm_cpu + cpu) / planned + 400 * static_cpu_s / max(n, 1), 1
            ),
        })
    return out


def markdown(r: dict) -> str:
    beyond = r["static_cpu_ms_per_model"] - r["render_ms_per_model"] - r["sqlglot_ms_per_model"]
    lines = [
        "| project | tables | migrate without plan, wall (ms/model) | CPU (ms/model) | of it rendering | sqlglot round trip | beyond both (CPU ms/model, target <= 10) |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| {r['project']} | {r['tables']} | {r['static_ms_per_model']} | {r['static_cpu_ms_per_model']} | "
        f"{r['render_ms_per_model']} | {r['sqlglot_ms_per_model']} | {round(beyond, 2)} |",
    ]
    if "fixed_s" in r:
        lines += [
            "",
            "| fixed: JVM (s) | fixed: JVM + environment + first statement (s) | tables planned (ok) | planning (s) | ms/table mean | median | max | ms per DDL (n) | ms per DML (n) | JVM CPU ms/table | Python CPU ms/table | projected 400 tables incl. migrate (s, target <= 60): wall | from CPU |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['jvm_s']} | {r['fixed_s']} | {r['planned_tables']} ({r['ok_tables']}) | {r['planning_s']} | "
            f"{r['ms_per_table_mean']} | {r['ms_per_table_median']} | {r['ms_per_table_max']} | "
            f"{r['ms_per_ddl']} ({r['ddl_statements']}) | {r['ms_per_dml']} ({r['dml_statements']}) | "
            f"{r['jvm_cpu_ms_per_table']} | {r['python_cpu_ms_per_table']} | {r['projected_400_s']} | {r['projected_400_cpu_s']} |",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = report.parser(__doc__)
    parser.add_argument("--project", type=Path, help="a dbt project folder (default: a generated one)")
    parser.add_argument("--models", type=int, default=400, help="models of the generated project")
    parser.add_argument("--read", help="the project's dialect (default: from the project)")
    parser.add_argument("--no-plan", action="store_true", help="only the static migration")
    args = parser.parse_args(argv)
    r = run(args.project, 0 if args.project else args.models, args.read, plan=not args.no_plan)
    return report.emit(r, markdown(r), args.json)


if __name__ == "__main__":
    sys.exit(main())
