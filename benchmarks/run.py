"""shiftleft benchmarks: translation speed against sqlglot's own round trip, in one run.

    python benchmarks/run.py            # full run, prints a Markdown table
    python benchmarks/run.py --quick    # smaller and fewer rounds
    python benchmarks/run.py --smoke    # every figure once, on tiny inputs (the test suite's check that the runner works)
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --light    # throughput ratios, growth exponents, import only

Every figure is a ratio against a baseline measured in the same run on the same input, so
results are comparable across (noisy, shared) machines.  See benchmarks/README.md.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import logging

import sqlglot

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # the baseline logs unsupported-feature warnings
import report
import scaling as growth
import script_memory
from corpus import DBT_PROJECTS, Corpus, dbt_models, dbt_rendered, streaming, synthetic, synthetic_query, tpc_queries
from project_gen import generate_project

import shiftleft
from shiftleft import InputError


def sqlglot_round_trip(sql: str, read: str, **_: object) -> str:
    """The baseline: parse and regenerate in the same dialect, what any sqlglot user pays."""
    return ";\n".join(e.sql(read) for e in sqlglot.parse(sql, read=read) if e is not None)


def shiftleft_transpile(sql: str, read: str, **options: object) -> str:
    return shiftleft.transpile(sql, read=read, **options).sql  # type: ignore[arg-type]


def usable(corpus: Corpus) -> tuple[Corpus, int]:
    """Drop queries either side cannot read, so both sides time the same input."""
    kept = []
    for q in corpus.queries:
        try:
            sqlglot_round_trip(q, corpus.read)
            shiftleft_transpile(q, corpus.read, **corpus.options)
        except (InputError, sqlglot.errors.SqlglotError):
            continue
        kept.append(q)
    return Corpus(corpus.name, corpus.read, tuple(kept), corpus.options), len(corpus.queries) - len(kept)


def time_corpus(fn: Callable[..., str], corpus: Corpus) -> float:
    """CPU seconds of this process for ``fn`` over every query of ``corpus`` (one call per
    statement).  CPU time, not wall time: the machine is shared, and other processes'
    time slices must not count against either side."""
    start = time.process_time()
    for q in corpus.queries:
        fn(q, corpus.read, **corpus.options)
    return time.process_time() - start


def compare(corpus: Corpus, rounds: int) -> dict:
    """Medians over interleaved rounds of baseline and shiftleft on the same corpus; the
    ratio of the medians, and the median of the per-round ratios (less sensitive to drift)."""
    corpus, skipped = usable(corpus)
    base, ours = [], []
    for _ in range(rounds):
        base.append(time_corpus(sqlglot_round_trip, corpus))
        ours.append(time_corpus(shiftleft_transpile, corpus))
    b, o = statistics.median(base), statistics.median(ours)
    paired = sorted(x / y for x, y in zip(ours, base) if y)
    return {
        "corpus": corpus.name,
        "queries": len(corpus.queries),
        "skipped": skipped,
        "bytes": corpus.size,
        "rounds": rounds,
        "sqlglot_ms": round(b * 1000, 2),
        "shiftleft_ms": round(o * 1000, 2),
        "ratio": round(o / b, 3) if b else None,
        "paired_ratio": round(statistics.median(paired), 3) if paired else None,
        "paired_min_max": [round(paired[0], 3), round(paired[-1], 3)] if paired else None,
    }


def scaling(scales: list[int], rounds: int) -> list[dict]:
    rows = []
    for k in scales:
        c = synthetic(k)
        t = statistics.median(time_corpus(shiftleft_transpile, c) for _ in range(rounds))
        b = statistics.median(time_corpus(sqlglot_round_trip, c) for _ in range(rounds))
        rows.append({"scale": k, "bytes": c.size, "shiftleft_ms": round(t * 1000, 2), "sqlglot_ms": round(b * 1000, 2)})
    base = rows[0]
    for r in rows:
        r["size_x"] = round(r["bytes"] / base["bytes"], 1)
        r["time_x"] = round(r["shiftleft_ms"] / base["shiftleft_ms"], 1)
    return rows


def import_time(module: str, repeats: int) -> float:
    """Best wall time of a fresh interpreter importing ``module`` (ms)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def files_throughput(models: int, workers: int) -> dict:
    """Translate ``models`` rendered dbt-style model files (read from and written to disk) with
    ``shiftleft.transpile_files`` and a pool of worker processes; also one worker, as the
    baseline of the parallel speed-up."""
    base = dbt_models().queries
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "models"
        for i in range(models):
            layer = ("staging", "intermediate", "marts")[i % 3]
            path = src / layer / f"model_{i:05d}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(base[i % len(base)].replace("FROM ", f"FROM p{i}_", 1))
        timings = {}
        for jobs in (1, workers):
            start = time.perf_counter()
            results = shiftleft.transpile_files([src], out_dir=Path(tmp) / f"out{jobs}", jobs=jobs)
            timings[jobs] = time.perf_counter() - start
            assert len(results) == models and not any(r.error for r in results)
    elapsed = timings[workers]
    return {
        "models": models,
        "workers": workers,
        "seconds": round(elapsed, 2),
        "seconds_one_worker": round(timings[1], 2),
        "models_per_s": round(models / elapsed, 1),
    }


def _max_rss_mib(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def project_migration(models: int, workers: int, rounds: int) -> dict:
    """``shiftleft.migrate`` of a generated dbt project of ``models`` models (project_gen.py):
    render the Jinja, translate every model, write the pipelines folder and the reports; with
    ``workers`` worker processes and with one.  The baseline, in the same run: sqlglot's round
    trip (parse + generate, Spark) of the same models' rendered SQL, one process."""
    with tempfile.TemporaryDirectory() as tmp:
        warm = generate_project(Path(tmp) / "warm", min(20, models // 2))
        shiftleft.migrate(warm, None, read="spark", jobs=1)  # load Jinja and the migrate modules once
        root = generate_project(Path(tmp) / "project", models)
        timings, files = {}, {}
        for jobs in (workers, 1):
            out = Path(tmp) / f"pipelines{jobs}"
            start = time.perf_counter()
            result = shiftleft.migrate(root, out, read="spark", jobs=jobs)
            timings[jobs] = time.perf_counter() - start
            files[jobs] = sum(1 for f in out.rglob("*") if f.is_file())
            if jobs == workers:
                parent_rss, worker_rss = _max_rss_mib(resource.RUSAGE_SELF), _max_rss_mib(resource.RUSAGE_CHILDREN)
                counts = result.counts()
                rendered = [t.rendered_sql for t in result.tables if t.rendered_sql]
        assert files[1] == files[workers], files
    base = []
    for _ in range(rounds):
        start = time.perf_counter()
        for sql in rendered:
            sqlglot_round_trip(sql, "spark")
        base.append(time.perf_counter() - start)
    b, elapsed = statistics.median(base), timings[workers]
    return {
        "models": models,
        "rendered_models": len(rendered),
        "rendered_bytes": sum(len(s) for s in rendered),
        "workers": workers,
        "seconds": round(elapsed, 2),
        "seconds_one_worker": round(timings[1], 2),
        "speedup": round(timings[1] / elapsed, 2),
        "models_per_s": round(models / elapsed, 1),
        "sqlglot_seconds": round(b, 3),
        "ratio": round(elapsed / b, 1),
        "ratio_one_worker": round(timings[1] / b, 1),
        "files_written": files[workers],
        "counts": counts,
        "max_rss_mib": parent_rss,
        "worker_max_rss_mib": worker_rss,
    }


def peak_memory(scale: int) -> dict:
    sql = synthetic_query(scale)
    tracemalloc.start()
    shiftleft.transpile(sql)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "query": f"synthetic-{scale}x",
        "bytes_in": len(sql),
        "transpile_peak_mib": round(peak / 2**20, 1),
        "process_max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def corpora(quick: bool, seed: int, dbt_projects: list[str] | None, generated: int | None = None) -> list[Corpus]:
    """The throughput corpora: the repository's dbt-style models, TPC-H (and TPC-DS), freshly
    generated streaming queries, and models rendered from public dbt projects when present
    (always in a full run, in a quick run only when ``--dbt-project`` names one)."""
    found = [dbt_models(), tpc_queries("tpch")]
    if not quick:
        found.append(tpc_queries("tpcds"))
    found.append(streaming(generated or (40 if quick else 300), seed))
    if dbt_projects or not quick:
        rendered = dbt_rendered(dbt_projects or DBT_PROJECTS)
        if rendered is not None:
            found.append(rendered)
    return found


def run(
    quick: bool, seed: int = 2026, dbt_projects: list[str] | None = None, script_mb: float | None = None,
    heavy: bool = True, smoke: bool = False,
) -> dict:
    """Every figure; ``heavy=False`` stops after the throughput ratios, the growth exponents
    and the import times (no large script, project or files figures).  ``smoke``: a quick run
    with one round of everything (two of the growth exponents) and tiny inputs (10 generated queries, scales 1 and 4, a
    20-model project, 30 files): it checks that every figure is produced, its figures mean little."""
    quick = quick or smoke
    rounds = 1 if smoke else 3 if quick else 11
    scales = [1, 4] if smoke else [1, 4, 16] if quick else [1, 4, 16, 64]
    imports = 1 if smoke else 3 if quick else 7
    shiftleft.transpile("SELECT 1")  # load rules once, outside the timings
    results = {
        "machine": {"python": sys.version.split()[0], "cpus": os.cpu_count(), "sqlglot": sqlglot.__version__},
        "commit": _commit(),
        "throughput": [compare(c, rounds) for c in corpora(quick, seed, dbt_projects, 10 if smoke else None)],
        "scaling": scaling(scales, rounds),
        # (two rounds even in a smoke run: the best of them leaves out the first call's warm-up,
        # which alone can exceed the 4n call's time and make an exponent negative)
        "exponents": growth.run(quick, rounds=2 if smoke else None),
        "import_ms": {"sqlglot": import_time("sqlglot", imports), "shiftleft": import_time("shiftleft", imports)},
    }
    if not heavy:
        return results
    memory = peak_memory(scales[-1])  # before the project figures, whose peaks are their own
    if script_mb or not quick:  # (a quick run skips the large script unless asked)
        results["script"] = script_memory.run(script_mb or 10.0, ["streaming"] if quick else ["streaming", "batch"])
    results["project"] = project_migration(20 if smoke else 100 if quick else 2000, 2, rounds=rounds)
    results["files"] = files_throughput(30 if smoke else 200 if quick else 2000, 2)
    results["memory"] = memory
    return results


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=Path(__file__).parent)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def markdown(r: dict) -> str:
    out = [
        f"Commit {r.get('commit')}; CPU time of this process, medians of {r['throughput'][0]['rounds']} interleaved rounds; one `transpile` call per statement.",
        "",
        "| corpus | queries | sqlglot round trip (ms) | shiftleft transpile (ms) | ratio of medians (target ≤ 1.2) | median of paired ratios (min–max) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in r["throughput"]:
        skipped = f" ({t['skipped']} unreadable, skipped)" if t["skipped"] else ""
        low, high = t["paired_min_max"] or (None, None)
        out.append(
            f"| {t['corpus']} | {t['queries']}{skipped} | {t['sqlglot_ms']} | {t['shiftleft_ms']} | {t['ratio']} | {t['paired_ratio']} ({low}–{high}) |"
        )
    out += ["", growth.markdown(r["exponents"]).rstrip("\n")]
    if "script" in r:
        out += ["", script_memory.markdown(r["script"]).rstrip("\n")]
    out += ["", "| synthetic scale | input bytes | size × | shiftleft (ms) | time × (target: 64× size ≤ 70× time) |", "|---:|---:|---:|---:|---:|"]
    for s in r["scaling"]:
        out.append(f"| {s['scale']}× | {s['bytes']} | {s['size_x']} | {s['shiftleft_ms']} | {s['time_x']} |")
    i = r["import_ms"]
    if "project" not in r:
        out += ["", f"- import: `import sqlglot` {i['sqlglot']} ms, `import shiftleft` {i['shiftleft']} ms (fresh interpreter, best of runs)"]
        return "\n".join(out) + "\n"
    p, f, m = r["project"], r["files"], r["memory"]
    counts = ", ".join(f"{k} {v}" for k, v in p["counts"].items() if v)
    out += [
        "",
        f"| dbt project | sqlglot round trip of the rendered models (s) | `shiftleft.migrate`, {p['workers']} workers (s) | ratio | one worker (s) | ratio | speed-up | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        f"| {p['models']} models (project_gen.py) | {p['sqlglot_seconds']} | {p['seconds']} | {p['ratio']} | {p['seconds_one_worker']} | {p['ratio_one_worker']} | {p['speedup']}× | 2,000 models < 30 s |",
        "",
        (
            f"- project: `shiftleft.migrate(project, out, read=\"spark\", jobs={p['workers']})` rendered, translated and wrote {p['models']} dbt models"
            f" ({p['models_per_s']} models/s; {p['rendered_models']} models rendered, {p['rendered_bytes']} bytes of SQL): {counts};"
            f" {p['files_written']} files written; max RSS {p['max_rss_mib']} MiB (parent), {p['worker_max_rss_mib']} MiB (largest worker)"
        ),
        f"- files: {f['models']} rendered model files translated (read, transpiled, written) by `shiftleft.transpile_files(..., jobs={f['workers']})` in {f['seconds']} s ({f['models_per_s']} models/s; one worker: {f['seconds_one_worker']} s)",
        f"- import: `import sqlglot` {i['sqlglot']} ms, `import shiftleft` {i['shiftleft']} ms (fresh interpreter, best of runs)",
        f"- memory: transpiling {m['query']} ({m['bytes_in']} bytes) peaks at {m['transpile_peak_mib']} MiB of Python allocations; process max RSS {m['process_max_rss_mib']} MiB",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = report.parser(__doc__)
    parser.add_argument("--quick", action="store_true", help="small corpora, few rounds")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, one round: checks that the runner works")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated streaming queries")
    parser.add_argument("--dbt-project", action="append", metavar="DIR", help="dbt project whose rendered models are a corpus (repeatable)")
    parser.add_argument("--script-mb", type=float, help="size of the large-script figure in MB (default 10; a quick run has none unless given)")
    parser.add_argument("--light", action="store_true", help="only the throughput ratios, growth exponents and import times")
    args = parser.parse_args(argv)
    results = run(args.quick, args.seed, args.dbt_project, args.script_mb, heavy=not args.light, smoke=args.smoke)
    return report.emit(results, markdown(results), args.json)


if __name__ == "__main__":
    sys.exit(main())
