"""The throughput ratio counted in CPU instructions, not timed: the same on a busy machine.

    python benchmarks/instructions.py tpch,tpcds,stream,dbt [--jobs 2]

Timed ratios on a shared machine move by ±0.4 with the load (other processes evict the
caches, share the cores).  Instructions do not: each side (sqlglot's round trip, as
``run.py`` defines it: ``sqlglot.parse`` then ``.sql``; and ``shiftleft.transpile``) runs in a
process under valgrind's callgrind, once with one pass over the corpus and once without, and
the difference is what one pass executes.  Both processes read the same statements (those both
sides can read, chosen once beforehand as ``run.py`` does) and make one warm-up pass first, so
imports, caches filled on first use and valgrind's own start cancel out.  Needs ``valgrind`` on the PATH; a corpus takes a few
minutes (callgrind runs Python about 50 times slower).

Instructions are not time (a cache miss costs more than an add), but for two Python programs
doing the same kind of work they track CPU time closely, and a change's effect shows without
the noise: the figure to compare commits with.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from phases import CORPORA

SIDES = ("sqlglot", "shiftleft")
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def _child(side: str, corpus_file: str, passes: int) -> None:
    """Run ``passes`` passes of ``side`` over the pickled corpus, after one warm-up pass."""
    logging.disable(logging.CRITICAL)
    from run import shiftleft_transpile, sqlglot_round_trip

    corpus = pickle.loads(Path(corpus_file).read_bytes())
    run = sqlglot_round_trip if side == "sqlglot" else shiftleft_transpile
    for _ in range(1 + passes):  # the first pass warms what is filled on first use
        for q in corpus.queries:
            run(q, corpus.read, **corpus.options)


def _instructions(side: str, corpus_file: Path, passes: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--child", side, str(corpus_file), str(passes),
    ]
    # one hash seed: set iteration orders (and so the code paths taken) are the same every run
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    found = _REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed ({side}, {corpus_file.stem}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="?", default="tpch,dbt", help="comma-separated: " + ", ".join(CORPORA))
    parser.add_argument("--jobs", type=int, default=2, help="valgrind processes at once")
    parser.add_argument("--child", nargs=3, metavar=("SIDE", "CORPUS_FILE", "PASSES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: this benchmark counts instructions with callgrind", file=sys.stderr)
        return 2
    logging.disable(logging.CRITICAL)
    from run import usable

    names = args.corpora.split(",")
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name in names:  # the statements both sides read, chosen once, natively
            corpus = CORPORA[name]()
            if corpus is not None:
                files[name] = Path(folder) / f"{name}.pickle"
                files[name].write_bytes(pickle.dumps(usable(corpus)[0]))
        names = list(files)
        jobs = [(side, name, passes) for name in names for side in SIDES for passes in (0, 1)]
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            counts = dict(zip(jobs, pool.map(lambda job: _instructions(job[0], files[job[1]], job[2]), jobs)))
    print("| corpus | sqlglot round trip (M instructions) | shiftleft transpile (M instructions) | ratio |")
    print("|---|---:|---:|---:|")
    for name in names:
        base = counts[("sqlglot", name, 1)] - counts[("sqlglot", name, 0)]
        ours = counts[("shiftleft", name, 1)] - counts[("shiftleft", name, 0)]
        if base <= 0:
            print(f"| {name} | - | - | (no usable statements) |")
            continue
        print(f"| {name} | {base / 1e6:.1f} | {ours / 1e6:.1f} | {ours / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
