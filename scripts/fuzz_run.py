"""Run the fuzz suite's strategies for a wall-clock budget and report what broke.

    nice -n 19 python scripts/fuzz_run.py --minutes 30 [--json report.json]

Cycles through the targets of ``tests/fuzz`` (transpile on token streams, generated queries,
deep nesting, unicode text, long identifiers and other readers; the statement-by-statement
stream; the ``transpile`` command line; ``migrate`` and ``shiftleft migrate`` on random broken
dbt projects), a batch of hypothesis examples at a time, in this one process, until the budget
is spent.  A failing input is not shrunk: each distinct crash (exception type and the innermost
shiftleft frame) is kept with the smallest input that raised it, and the run goes on.  Prints
the inputs tried per target, the crashes, and the crashes shiftleft caught and reported on one
statement / model (SL9000 / SL0099: bugs too).  Exit status 1 when something crashed.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "fuzz")]

from checks import ISOLATED, check_cli, check_migrate, check_transpile
from fuzz_count import TRIED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import argv, dbt_projects, deep, identifiers, migrate_argv, queries, token_streams

from shiftleft.stream import transpile_stream


@dataclass
class Crash:
    target: str
    kind: str
    where: str
    message: str
    smallest: str
    count: int = 0


@dataclass
class Run:
    deadline: float
    tried: dict[str, int] = field(default_factory=dict)
    crashes: dict[tuple[str, str, str], Crash] = field(default_factory=dict)


def _signature(error: BaseException) -> tuple[str, str]:
    """(exception type, innermost frame in shiftleft or the checks) of ``error``."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/shiftleft/" in f.filename or f.filename.endswith("checks.py")]
    frame = (ours or frames)[-1] if (ours or frames) else None
    where = f"{Path(frame.filename).name}:{frame.lineno}" if frame else "?"
    return type(error).__name__, where


def _target(run: Run, name: str, check: Callable[..., None], *strategies: st.SearchStrategy[Any]) -> Callable[[int], None]:
    """A runner of ``n`` examples of ``check`` over ``strategies`` that records crashes."""

    def body(values: tuple[Any, ...]) -> None:
        if time.monotonic() > run.deadline:
            return
        run.tried[name] = run.tried.get(name, 0) + 1
        try:
            with redirect_stderr(io.StringIO()):
                check(*values)
        except Exception as e:  # noqa: BLE001 - every crash is recorded, the run goes on
            kind, where = _signature(e)
            given_repr = repr(values)
            key = (name, kind, where)
            if key not in run.crashes:  # say so at once: the report comes at the end
                print(f"new crash: {name}: {kind} at {where}: {str(e)[:200]}", file=sys.stderr, flush=True)
            crash = run.crashes.setdefault(key, Crash(name, kind, where, str(e)[:500], given_repr))
            crash.count += 1
            if len(given_repr) < len(crash.smallest):
                crash.smallest, crash.message = given_repr, str(e)[:500]

    def batch(n: int) -> None:
        test = settings(
            max_examples=n, deadline=None, database=None, derandomize=False,
            suppress_health_check=list(HealthCheck),
        )(given(st.tuples(*strategies))(body))  # fmt: skip
        test()

    return batch


def _stream(sql: str, mode: str) -> None:
    for _ in transpile_stream(sql, mode=mode):
        pass


def _cli(args: list[str], sql: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="slfuzz-") as folder:
        model = Path(folder, "m.sql")
        model.write_text(sql, encoding="utf-8", errors="surrogateescape")
        check_cli(["transpile", str(model), *args])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0, help="wall-clock budget (default: 30)")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON here")
    args = parser.parse_args()
    start = time.monotonic()
    run = Run(deadline=start + 60 * args.minutes)
    modes = st.sampled_from(["streaming", "batch"])
    readers = st.sampled_from(["spark", "databricks", "hive", "duckdb", "snowflake", "postgres", "mysql"])
    sql_for_cli = st.one_of(st.sampled_from(["SELECT nvl(a, 1) FROM t", "hello world", "SELECT a FROM t; garbage ((", ""]), queries())
    # (target, examples per batch): cheap targets get larger batches
    targets = [
        (_target(run, "transpile/token-streams", check_transpile, token_streams()), 300),
        (_target(run, "transpile/queries", lambda q, m: check_transpile(q, mode=m), queries(), modes), 60),
        (_target(run, "transpile/deep", check_transpile, deep()), 20),
        (_target(run, "transpile/unicode", check_transpile, st.text(max_size=200)), 200),
        (_target(run, "transpile/identifiers", lambda n: check_transpile(
            f"SELECT {', '.join(n)} FROM {n[0]} WHERE {n[-1]} IS NOT NULL"), st.lists(identifiers(), min_size=1, max_size=4)), 60),
        (_target(run, "transpile/readers", lambda q, r: check_transpile(q, read=r), queries(), readers), 30),
        (_target(run, "stream", _stream, st.lists(st.one_of(queries(), token_streams()), max_size=5).map(";\n".join), modes), 30),
        (_target(run, "cli/transpile", _cli, argv(), sql_for_cli), 40),
        (_target(run, "migrate", check_migrate, dbt_projects(), st.one_of(st.none(), migrate_argv())), 15),
    ]
    rounds = 0
    while time.monotonic() < run.deadline:
        for batch, n in targets:
            if time.monotonic() >= run.deadline:
                break
            batch(n)
        rounds += 1
        print(f"round {rounds}: {sum(run.tried.values())} inputs, {len(run.crashes)} distinct crashes, "
              f"{time.monotonic() - start:.0f} s", file=sys.stderr, flush=True)  # fmt: skip
    isolated = {}
    for where, code, message, given_ in ISOLATED:
        isolated.setdefault((where, code, message.splitlines()[0][:120]), given_)
    report = {
        "minutes": round((time.monotonic() - start) / 60, 1),
        "inputs": sum(run.tried.values()),
        "checked_inputs": TRIED["inputs"],
        "per_target": run.tried,
        "crashes": [vars(c) for c in sorted(run.crashes.values(), key=lambda c: -c.count)],
        "isolated_crashes": [{"where": w, "code": c, "message": m, "input": g} for (w, c, m), g in isolated.items()],
    }
    print(f"fuzz: {report['inputs']} inputs in {report['minutes']} min; {len(run.crashes)} distinct crashes "
          f"({sum(c.count for c in run.crashes.values())} failing inputs); {len(isolated)} isolated crashes")  # fmt: skip
    for target, count in sorted(run.tried.items()):
        print(f"  {target:<26} {count}")
    for crash in report["crashes"]:
        print(f"CRASH x{crash['count']} {crash['target']}: {crash['kind']} at {crash['where']}: {crash['message'][:200]}")
        print(f"    smallest input: {crash['smallest'][:600]}")
    for item in report["isolated_crashes"]:
        print(f"ISOLATED {item['where']} {item['code']}: {item['message']}\n    input: {item['input'][:400]}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    return 1 if run.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
