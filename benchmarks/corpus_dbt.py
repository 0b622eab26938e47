"""Corpus benchmark: migrate real dbt projects and check every output on the Flink 2.3 planner.

    .venv/bin/python benchmarks/corpus_dbt.py PROJECT [PROJECT ...] [--vars YAML] [--json FILE]

For each project: ``shiftleft.migrate`` with its defaults (it plans every table itself when
the planner can run; ``--static``: ``plan=False``, the static rules' verdict alone) writes the
pipelines folder to a temporary directory (or ``--out``), then every table's DDL and DML *as
written to that folder* is planned in DAG order in a fresh Flink session with the real Kafka /
upsert-kafka / JDBC connectors: the files a user deploys, judged by the engine.  Each
table (ephemeral models, inlined, are counted apart) is then one of:

* ``ok``: the planner accepts all its statements, no error reported, its parents ok;
* ``reported``: it carries an error diagnostic (failed, needs_llm, planner rejections it knew of);
* ``blocked``: no error of its own, but a table it reads is not ok;
* ``SILENT``: reported translated (no error) yet the planner rejects one of its statements.
  This must be 0.

The causes (first error of a reported table, planner message of a silent one) are normalised
(names, literals and numbers blanked) and ranked by the tables they affect: the tables
carrying them plus the tables blocked by those.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from shiftleft.errors import ShiftleftError
from shiftleft.flink_engine import default_planner
from shiftleft.migration import migrate
from shiftleft.migration.causes import normalise, rank, table_cause
from shiftleft.migration.models import MigrationResult, PipelineTable, Status
from shiftleft.migration.planning import TablePlan, dag_order, plan_tables

_REPORTED = {Status.FAILED, Status.NEEDS_LLM}


def _cause(table: PipelineTable) -> str:
    return table_cause(table) or f"status {table.status.value}"


def classify(
    result: MigrationResult, plans: dict[str, TablePlan]
) -> tuple[dict[str, str], dict[str, str]]:
    """(verdict, cause) per table unique id (verdict: ok / reported / blocked / silent)."""
    verdict: dict[str, str] = {}
    cause: dict[str, str] = {}
    by_name: dict[str, list[PipelineTable]] = {}
    for t in result.tables:
        by_name.setdefault(t.name, []).append(t)
    for table in dag_order(result):
        if table.status is Status.INLINED:
            continue
        uid = table.unique_id
        broken = [
            p
            for name in table.parents
            for p in by_name.get(name, [])
            if verdict.get(p.unique_id, "ok") != "ok" and p.status is not Status.INLINED
        ]
        plan = plans.get(uid)
        if table.status in _REPORTED or table.errors:
            verdict[uid], cause[uid] = "reported", _cause(table)
        elif table.status is Status.BLOCKED or broken:
            verdict[uid] = "blocked"
            cause[uid] = cause.get(broken[0].unique_id, "?") if broken else _cause(table)
        elif plan is not None and not plan.ok:
            verdict[uid] = "silent"
            cause[uid] = "SILENT planner: " + normalise(plan.errors[0].message)
        else:
            verdict[uid] = "ok"
    return verdict, cause


def _as_written(result: MigrationResult, folder: Path) -> list[PipelineTable]:
    """The tables with the DDL and DML read back from the files migrate wrote."""

    def read(relative: str | None) -> str | None:
        path = folder / relative if relative else None
        return path.read_text(encoding="utf-8") if path and path.is_file() else None

    return [
        t.model_copy(update={"ddl": read(t.ddl_path), "dml": read(t.dml_path)})
        for t in result.tables
    ]


def run_project(
    path: Path,
    *,
    variables: dict[str, Any] | None,
    out: Path | None,
    planner: Any,
    verbose: bool,
    read: str | None = None,
    static: bool = False,
) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="corpus_dbt_") as tmp:
        folder = out or Path(tmp) / "out"
        try:
            result = migrate(
                path, folder, vars=variables, force=True, read=read, plan=False if static else None
            )
        except ShiftleftError as e:
            return {"project": str(path), "aborted": str(e)}
        migrated_s = time.perf_counter() - started
        t0 = time.perf_counter()
        session = planner.session("streaming")
        plans = {p.unique_id: p for p in plan_tables(_as_written(result, folder), session)}
        planned_s = time.perf_counter() - t0
    verdict, cause = classify(result, plans)
    counts = Counter(verdict.values())
    causes = [
        c.model_dump()
        for c in rank(
            (cause[u] for u, v in verdict.items() if v in ("reported", "silent")),
            (cause[u] for u, v in verdict.items() if v == "blocked"),
        )
    ]
    models = [
        {
            "table": t.name,
            "unique_id": t.unique_id,
            "status": t.status.value,
            "verdict": verdict[t.unique_id],
            "cause": cause.get(t.unique_id),
        }
        for t in result.tables
        if t.unique_id in verdict
    ]
    if verbose:
        for m in models:
            print(f"  {m['verdict']:<9} {m['status']:<10} {m['table']}  {m['cause'] or ''}")
    kinds = Counter(
        ("model" if t.resource_type != "source" else "source", verdict[t.unique_id])
        for t in result.tables
        if t.unique_id in verdict
    )
    return {
        "project": result.project,
        "path": str(path),
        "read": result.read,
        "planned_by_migrate": result.planned,
        "by_kind": {f"{k}:{v}": n for (k, v), n in sorted(kinds.items())},
        "tables": len(result.tables),
        "inlined": result.counts()["inlined"],
        "statuses": {k: v for k, v in result.counts().items() if v},
        "ok": counts["ok"],
        "reported": counts["reported"],
        "blocked": counts["blocked"],
        "silent": counts["silent"],
        "migrate_s": round(migrated_s, 1),
        "plan_s": round(planned_s, 1),
        "causes": causes,
        "models": models,
    }


def _print(summary: dict[str, Any], top: int) -> None:
    if "aborted" in summary:
        print(f"{summary['project']}: ABORTED: {summary['aborted']}")
        return
    judged = summary["ok"] + summary["reported"] + summary["blocked"] + summary["silent"]
    share = 100 * summary["ok"] / judged if judged else 0
    print(
        f"{summary['project']}: {judged} tables (+{summary['inlined']} inlined): "
        f"ok {summary['ok']} ({share:.0f}%), reported {summary['reported']}, "
        f"blocked {summary['blocked']}, SILENT {summary['silent']}  "
        f"[migrate {summary['migrate_s']}s, plan {summary['plan_s']}s]"
    )
    kinds = summary["by_kind"]
    models = sum(n for k, n in kinds.items() if k.startswith("model:"))
    ok_models = kinds.get("model:ok", 0)
    print(
        f"  models/seeds/snapshots: {models}, ok {ok_models} "
        f"({100 * ok_models / models if models else 0:.0f}%), silent {kinds.get('model:silent', 0)};"
        f" sources: {sum(n for k, n in kinds.items() if k.startswith('source:'))}, "
        f"ok {kinds.get('source:ok', 0)}; migrate planned itself: {summary['planned_by_migrate']}"
    )
    print(f"  statuses: {summary['statuses']}")
    for row in summary["causes"][:top]:
        print(f"  {row['tables']:>5} +{row['blocking']:<5} {row['cause']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="+", type=Path, help="dbt project folders")
    parser.add_argument("--vars", help="dbt variables (YAML), as dbt --vars")
    parser.add_argument("--read", help="dialect of the models (default: the profile's, else spark)")
    parser.add_argument("--out", type=Path, help="write the pipelines here (one project only)")
    parser.add_argument("--json", type=Path, help="write the full figures as JSON here")
    parser.add_argument("--top", type=int, default=12, help="causes to print per project")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per table")
    parser.add_argument(
        "--static", action="store_true", help="migrate with plan=False: judge the static rules alone"
    )
    args = parser.parse_args(argv)
    variables = yaml.safe_load(args.vars) if args.vars else None
    if args.out and len(args.projects) > 1:
        parser.error("--out takes one project")
    planner = default_planner(connectors=True)
    summaries = []
    for path in args.projects:
        summary = run_project(
            path,
            variables=variables,
            out=args.out,
            planner=planner,
            verbose=args.verbose,
            read=args.read,
            static=args.static,
        )
        _print(summary, args.top)
        summaries.append(summary)
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2) + "\n")
    return 1 if any(s.get("silent") or "aborted" in s for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
