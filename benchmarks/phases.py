"""Where ``transpile``'s time goes, per phase, against sqlglot's round trip of the same text.

    python benchmarks/phases.py tpch,tpcds [--rounds 3] [--rules]

Each phase (the functions ``shiftleft.pipeline`` calls: reading, rewrite and checks,
generation, the changelog derivation of each output, options...) is timed in CPU time around
its call, and printed as a multiple of sqlglot's parse + generate time of the same corpus
(so 0.47 under ``rewrite`` means the rules cost 47% of what sqlglot's whole round trip
costs).  ``--rules``: also each rule's share.  Corpora: dbt, tpch, tpcds, stream, rendered.
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlglot
from corpus import Corpus, dbt_models, dbt_rendered, streaming, tpc_queries

import shiftleft
import shiftleft.rewrite.engine as engine
from shiftleft import pipeline

PHASES = ("read_script", "rewrite", "generate", "describe", "sink_statements", "parenthesize",
          "apply_functions", "ScriptCatalog", "StatementResult", "TranspileResult", "source_ddl")  # fmt: skip
CORPORA: dict[str, Callable[[], Corpus | None]] = {
    "dbt": dbt_models,
    "tpch": lambda: tpc_queries("tpch"),
    "tpcds": lambda: tpc_queries("tpcds"),
    "stream": lambda: streaming(300, 2026),
    "rendered": dbt_rendered,
}


def _timed(spent: collections.Counter, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    return timed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", help="comma-separated: " + ", ".join(CORPORA))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rules", action="store_true", help="also time each rule")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    spent: collections.Counter = collections.Counter()
    corpora = []
    for name in args.corpora.split(","):
        corpus = CORPORA[name]()
        if corpus is None:
            continue
        kept = []
        for q in corpus.queries:  # what both sides read (as run.py's usable)
            try:
                shiftleft.transpile(q, read=corpus.read, **corpus.options)
                sqlglot.transpile(q, read=corpus.read, write=corpus.read)
            except (shiftleft.InputError, sqlglot.errors.SqlglotError):
                continue
            kept.append(q)
        corpora.append((corpus, kept))
    # timed from here: the corpora are built first (the rendered one migrates projects, and
    # MigrateOptions.of would meet TranspileOptions.of's timed replacement)
    for name in PHASES:
        setattr(pipeline, name, _timed(spent, name, getattr(pipeline, name)))
    pipeline.TranspileOptions.of = _timed(spent, "options", pipeline.TranspileOptions.of)  # type: ignore[method-assign]
    if args.rules:
        apply = engine._apply
        engine._apply = lambda rule, node, ctx: _timed(spent, f"rule {rule.id} {type(rule).__name__}", apply)(rule, node, ctx)
    total: collections.Counter = collections.Counter()
    for _ in range(args.rounds):
        for corpus, queries in corpora:
            for q in queries:
                start = time.process_time()
                trees = sqlglot.parse(q, read=corpus.read)
                parsed = time.process_time()
                for tree in trees:
                    if tree is not None:
                        tree.sql(corpus.read)
                generated = time.process_time()
                shiftleft.transpile(q, read=corpus.read, **corpus.options)
                total["parse"] += parsed - start
                total["generate"] += generated - parsed
                total["ours"] += time.process_time() - generated
    base = total["parse"] + total["generate"]
    print(f"sqlglot {base * 1000 / args.rounds:.0f} ms (parse {total['parse'] / base:.0%}, generate "
          f"{total['generate'] / base:.0%}); transpile {total['ours'] * 1000 / args.rounds:.0f} ms: "
          f"{total['ours'] / base:.3f} x")
    phases = sum(v for k, v in spent.items() if not k.startswith("rule "))
    for label, value in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {value / base:6.3f} x  {label}")
    print(f"  {(total['ours'] - phases) / base:6.3f} x  (the rest of transpile)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
