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


def _jvm_threads() -> dict[str, tuple[str, float]]:
    """CPU seconds (user + system) of each thread of this process's child processes (the
    planner's JVM) so far, by thread id, with the thread's name; from /proc (empty where there
    is no /proc): unlike wall time, it does not grow with the machine's load."""
    out: dict[str, tuple[str, float]] = {}
    tick, me = os.sysconf("SC_CLK_TCK"), os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != me:
                continue
            for task in (stat.parent / "task").iterdir():
                text = (task / "stat").read_text()
                fields = text.rsplit(")", 1)[1].split()
                name = text[text.index("(") + 1 : text.rindex(")")]
                out[f"{stat.parent.name}/{task.name}"] = (name, (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, ValueError, IndexError):
            continue
    return out


def _cpu_since(before: dict[str, tuple[str, float]]) -> tuple[float, float]:
    """The JVM's CPU seconds since ``before``: in all, and in its busiest thread serving
    Python calls (``Thread-N``: a lane's planning)."""
    spent = {k: (name, cpu - before.get(k, (name, 0.0))[1]) for k, (name, cpu) in _jvm_threads().items()}
    served = [cpu for name, cpu in spent.values() if name.startswith("Thread-")]
    return sum(cpu for _, cpu in spent.values()), max(served, default=0.0)


def _plan_run(tables: list, planner, lanes: int | None) -> dict:  # type: ignore[no-untyped-def]
    """Plan ``tables`` in a fresh session of ``planner`` with ``lanes`` (None: the default):
    wall, CPU and per-statement figures."""
    from shiftleft.flink_engine.planner import PlanSession
    from shiftleft.migration.planning import default_lanes, dag_order, plan_tables

    spent = {"ddl": [0.0, 0], "dml": [0.0, 0]}
    plan_one = PlanSession.plan

    def timed(session, sql: str, **kw):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        try:
            return plan_one(session, sql, **kw)
        finally:
            kind = spent["ddl" if sql.lstrip().upper().startswith("CREATE") else "dml"]
            kind[0] += time.perf_counter() - began
            kind[1] += 1

    PlanSession.plan = timed  # type: ignore[method-assign]
    try:
        before, start, cpu = _jvm_threads(), time.perf_counter(), time.process_time()
        plans = plan_tables(tables, planner.session("streaming"), lanes=lanes)
        wall_s, cpu = time.perf_counter() - start, time.process_time() - cpu
        jvm_cpu, busiest = _cpu_since(before)
    finally:
        PlanSession.plan = plan_one  # type: ignore[method-assign]
    planned = max(len(plans), 1)
    per = sorted(p.elapsed_ms for p in plans)
    count = lanes or default_lanes(sum(1 for t in dag_order(tables) if t.ddl or t.dml))
    return {
        "lanes": count,
        "planned_tables": len(plans),
        "ok_tables": sum(1 for p in plans if p.ok),
        "planning_s": round(wall_s, 2),
        "ms_per_table_mean": round(wall_s * 1000 / planned, 1),
        "ms_per_table_median": round(statistics.median(per), 1) if per else None,
        "ms_per_table_max": per[-1] if per else None,
        "jvm_cpu_ms_per_table": round(jvm_cpu * 1000 / planned, 1),
        "busiest_lane_jvm_cpu_ms_per_table": round(busiest * 1000 / planned, 1),
        "python_cpu_ms_per_table": round(cpu * 1000 / planned, 1),
        "ddl_statements": spent["ddl"][1],
        "ms_per_ddl": round(spent["ddl"][0] * 1000 / max(spent["ddl"][1], 1), 1),
        "dml_statements": spent["dml"][1],
        "ms_per_dml": round(spent["dml"][0] * 1000 / max(spent["dml"][1], 1), 1),
        "verdicts": [p.model_dump_json(exclude={"elapsed_ms"}) for p in plans],
        "load": round(os.getloadavg()[0], 1),
    }


def _project(run: dict, fixed: tuple[float, float], static_s: float, static_cpu_s: float, cores: int) -> None:
    """Projections to 400 tables: from the wall times, and from CPU times on an idle machine
    with ``cores`` processors (the fixed part's CPU, JVM and this process; then no lane
    faster than its busiest JVM thread plus its share of this process's CPU, and no faster
    than all the CPU spread over the cores)."""
    fixed_s, fixed_cpu_s = fixed
    lane_ms = run["busiest_lane_jvm_cpu_ms_per_table"] + run["python_cpu_ms_per_table"] / run["lanes"]
    spread_ms = (run["jvm_cpu_ms_per_table"] + run["python_cpu_ms_per_table"]) / min(cores, run["lanes"])
    run["projected_400_s"] = round(fixed_s + 400 * run["ms_per_table_mean"] / 1000 + 400 * static_s, 1)
    run["projected_400_cpu_s"] = round(fixed_cpu_s + 400 * max(lane_ms, spread_ms) / 1000 + 400 * static_cpu_s, 1)


def run(
    project: Path | None, models: int, read: str | None, plan: bool = True, lanes: tuple[int, ...] = (0, 1)
) -> dict:
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
        from shiftleft.verification import default_planner

        start, cpu = time.perf_counter(), time.process_time()
        planner = default_planner(connectors=True)
        planner.start()
        jvm_s = time.perf_counter() - start
        planner.session("streaming").plan("SELECT 1")
        fixed_s = time.perf_counter() - start
        fixed_cpu_s = time.process_time() - cpu + _cpu_since({})[0]
        # by default the default lanes first: it pays the JIT's warm-up, as `migrate --plan`
        # does; then one session (as before lanes) in the warmed JVM, which favours it
        runs = [_plan_run(result.tables, planner, k or None) for k in lanes]
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        for r in runs:
            _project(r, (fixed_s, fixed_cpu_s), static_s / max(n, 1), static_cpu_s / max(n, 1), cores)
        verdicts = [r.pop("verdicts") for r in runs]
        out.update({
            "jvm_s": round(jvm_s, 2),
            "fixed_s": round(fixed_s, 2),
            "fixed_cpu_s": round(fixed_cpu_s, 2),
            "cores": cores,
            "same_verdicts": all(v == verdicts[0] for v in verdicts),
            "runs": runs,
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
            f"Fixed: JVM {r['jvm_s']} s; JVM + environment + first statement {r['fixed_s']} s "
            f"(CPU, JVM and Python: {r['fixed_cpu_s']} s). "
            f"Same per-table verdicts in every run: {r['same_verdicts']}.",
            "",
            "| lanes | tables planned (ok) | planning (s) | ms/table mean | median | max | ms per DDL (n) | ms per DML (n) | JVM CPU ms/table | of it busiest lane | Python CPU ms/table | load | projected 400 tables incl. migrate (s, target <= 60): wall | from CPU |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for x in r["runs"]:
            lines.append(
                f"| {x['lanes']} | {x['planned_tables']} ({x['ok_tables']}) | {x['planning_s']} | "
                f"{x['ms_per_table_mean']} | {x['ms_per_table_median']} | {x['ms_per_table_max']} | "
                f"{x['ms_per_ddl']} ({x['ddl_statements']}) | {x['ms_per_dml']} ({x['dml_statements']}) | "
                f"{x['jvm_cpu_ms_per_table']} | {x['busiest_lane_jvm_cpu_ms_per_table']} | "
                f"{x['python_cpu_ms_per_table']} | {x['load']} | {x['projected_400_s']} | {x['projected_400_cpu_s']} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = report.parser(__doc__)
    parser.add_argument("--project", type=Path, help="a dbt project folder (default: a generated one)")
    parser.add_argument("--models", type=int, default=400, help="models of the generated project")
    parser.add_argument("--read", help="the project's dialect (default: from the project)")
    parser.add_argument("--no-plan", action="store_true", help="only the static migration")
    parser.add_argument(
        "--lanes", default="0,1", help="planning runs in turn, by lanes (0: the default); e.g. 1"
    )
    args = parser.parse_args(argv)
    lanes = tuple(int(k) for k in args.lanes.split(","))
    r = run(args.project, 0 if args.project else args.models, args.read, not args.no_plan, lanes)
    return report.emit(r, markdown(r), args.json)


if __name__ == "__main__":
    sys.exit(main())
