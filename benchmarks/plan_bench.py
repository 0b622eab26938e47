"""Cost of ``migrate`` with and without ``--plan``: fixed cost (JVM, TableEnvironment) and
per-table planning cost (DDL, DML), measured separately, in one process.

    python benchmarks/plan_bench.py                          # a generated 400-model project
    python benchmarks/plan_bench.py --models 100             # smaller
    python benchmarks/plan_bench.py --project DIR --read snowflake   # a real dbt project
    python benchmarks/plan_bench.py --no-plan --repeat 5 [--profile FILE]   # migrate alone

Figures:

* static: ``shiftleft.migrate(project, out, jobs=1, plan=False)`` per model, wall and CPU time
  (this process; ``--repeat N``: the minimum of N runs, figure by figure); of that CPU, the
  dbt-style rendering (``Renderer``: compiling the macros, rendering each model with Jinja)
  and what migrate costs beyond it (target <= 10 ms per model), split into the translation
  of the rendered SQL (``transpile_model``: ``transpile`` less the outputs' changelogs, which migrate derives itself), reading the Flink SQL back, typing the output columns
  (``TypedQuery``: sqlglot's qualify + annotate_types) and the rest (column checks,
  changelog, DDL / DML, files, reports); and, as a yardstick, the CPU time of sqlglot's round
  trip (parse + generate) of the same rendered SQL.  ``--profile FILE``: cProfile statistics
  of one more static migration (``python -m pstats FILE``), ``transpile`` included.
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


class _Clock:
    """CPU time spent in ``owner.name`` (a function of a module or a class) while active."""

    def __init__(self, owner: object, name: str) -> None:
        self.seconds = 0.0
        self._owner, self._name = owner, name
        self._fn = getattr(owner, name)

    def __enter__(self) -> "_Clock":
        clock, fn = self, self._fn

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            began = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                clock.seconds += time.process_time() - began

        setattr(self._owner, self._name, timed)
        return self

    def __exit__(self, *_exc: object) -> None:
        setattr(self._owner, self._name, self._fn)


def _phases() -> dict[str, tuple[object, str]]:
    """The parts of ``migrate`` timed apart: dbt-style rendering (``Renderer``: compiling the
    project's and packages' macros, rendering each model with Jinja), the translation of each model's rendered SQL (``transpile_model``), reading its Flink SQL back, and
    typing its output columns (``TypedQuery``: sqlglot's qualify + annotate_types)."""
    from shiftleft.migration import translate
    from shiftleft.streaming.typed_query import TypedQuery

    return {
        "macros": (Renderer, "__init__"),
        "render": (Renderer, "render"),
        "transpile": (translate, "transpile_model"),
        "read_back": (translate, "parse_script"),
        "typing": (TypedQuery, "__init__"),
    }


def _static_once(project: Path, out: Path, read: str | None) -> tuple[dict[str, float], object]:
    """One ``migrate(plan=False)`` of ``project`` into ``out``: wall and CPU seconds, and the
    CPU seconds of each of :func:`_phases`."""
    clocks = {k: _Clock(*where) for k, where in _phases().items()}
    for clock in clocks.values():
        clock.__enter__()
    try:
        start, cpu = time.perf_counter(), time.process_time()
        result = shiftleft.migrate(project, out, read=read, jobs=1, plan=False)
        spent = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    finally:
        for clock in reversed(clocks.values()):
            clock.__exit__()
    return spent | {k: c.seconds for k, c in clocks.items()}, result


def _profile(project: Path, out: Path, read: str | None, path: Path) -> None:
    """cProfile statistics of one more ``migrate(plan=False)``, written to ``path``; run in
    shiftleft's deep-stack thread, so that ``transpile`` (which runs there) is profiled too."""
    import cProfile

    from shiftleft.limits import call_deep

    def profiled() -> None:
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            shiftleft.migrate(project, out, read=read, jobs=1, plan=False)
        finally:
            profiler.disable()
        profiler.dump_stats(str(path))

    call_deep(profiled)


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
    project: Path | None,
    models: int,
    read: str | None,
    plan: bool = True,
    lanes: tuple[int, ...] = (0, 1),
    repeat: int = 1,
    profile: Path | None = None,
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        if project is None:
            project = generate_project(Path(tmp) / "project", models)
            read = read or "spark"
        warm = generate_project(Path(tmp) / "warm", 20)
        shiftleft.migrate(warm, None, read="spark", jobs=1, plan=False)  # load Jinja and the modules once
        static_runs = []
        for i in range(max(repeat, 1)):  # the minimum of each figure: noise only adds time
            figures, result = _static_once(project, Path(tmp) / f"out{i}", read)
            static_runs.append(figures)
        static = {k: min(r[k] for r in static_runs) for k in static_runs[0]}
        static["beyond_render"] = min(r["cpu"] - r["macros"] - r["render"] for r in static_runs)
        parts = ("macros", "render", "transpile", "read_back", "typing")
        static["rest"] = min(r["cpu"] - sum(r[k] for k in parts) for r in static_runs)
        static_s, static_cpu_s = static["wall"], static["cpu"]
        if profile is not None:
            _profile(project, Path(tmp) / "profiled", read, profile)
        rendered = [t.rendered_sql for t in result.tables if t.rendered_sql]
        base_s = min(_round_trip_s(rendered, result.read) for _ in static_runs)
        n = len(result.tables)

        def per_model(seconds: float) -> float:
            return round(seconds * 1000 / max(n, 1), 2)

        out: dict = {
            "project": str(project) if models == 0 else f"project_gen.py, {models} models",
            "tables": n,
            "rendered": len(rendered),
            "static_runs": len(static_runs),
            "static_s": round(static_s, 2),
            "static_ms_per_model": per_model(static_s),
            "static_cpu_ms_per_model": per_model(static_cpu_s),
            "render_ms_per_model": per_model(min(r["macros"] + r["render"] for r in static_runs)),
            "beyond_render_ms_per_model": per_model(static["beyond_render"]),
            "transpile_ms_per_model": per_model(static["transpile"]),
            "read_back_ms_per_model": per_model(static["read_back"]),
            "typing_ms_per_model": per_model(static["typing"]),
            "rest_ms_per_model": per_model(static["rest"]),
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
    beyond = r["beyond_render_ms_per_model"]
    lines = [
        "| project | tables | runs | migrate without plan, wall (ms/model) | CPU (ms/model) | of it rendering "
        "| beyond rendering (target <= 10) | of that: transpile | reading back | typing | the rest "
        "| sqlglot round trip | beyond rendering and round trip |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['project']} | {r['tables']} | {r['static_runs']} | {r['static_ms_per_model']} | "
        f"{r['static_cpu_ms_per_model']} | {r['render_ms_per_model']} | {beyond} | "
        f"{r['transpile_ms_per_model']} | {r['read_back_ms_per_model']} | {r['typing_ms_per_model']} | "
        f"{r['rest_ms_per_model']} | {r['sqlglot_ms_per_model']} | {round(beyond - r['sqlglot_ms_per_model'], 2)} |",
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
    parser.add_argument(
        "--repeat", type=int, default=1, help="static migrations to run (each figure: the minimum)"
    )
    parser.add_argument("--profile", type=Path, help="write cProfile statistics of one more static migration here")
    args = parser.parse_args(argv)
    lanes = tuple(int(k) for k in args.lanes.split(","))
    project, models = args.project, 0 if args.project else args.models
    r = run(project, models, args.read, not args.no_plan, lanes, args.repeat, args.profile)
    return report.emit(r, markdown(r), args.json)


if __name__ == "__main__":
    sys.exit(main())
