"""Dump every corpus statement's ``transpile`` result as JSON lines, for a byte comparison of
the outputs before and after a (performance) change.

    python benchmarks/outputs.py before.jsonl          # at the old commit
    python benchmarks/outputs.py after.jsonl           # at the new one
    cmp before.jsonl after.jsonl

Corpora: the repository's dbt-style models, TPC-H, TPC-DS, generated streaming queries of three
seeds, the rendered public dbt projects present on the machine, and the scaling shapes; each
with four option sets (streaming, batch, Confluent, ``sources=`` with a ``sink=``).  The
corpora are built once and cached (``--cache``), so both runs read the same statements.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scaling
from corpus import dbt_models, dbt_rendered, streaming, synthetic_query, tpc_queries

import shiftleft

CONFIGS: list[dict] = [{}, {"mode": "batch"}, {"target": "confluent"}, {"sources": True, "sink": "out_sink"}]


def corpora(cache: Path) -> list[dict]:
    if cache.exists():
        return json.loads(cache.read_text())
    found = [dbt_models(), tpc_queries("tpch"), tpc_queries("tpcds"), streaming(300, 2026), streaming(300, 7), streaming(200, 99)]
    out = [{"name": c.name, "read": c.read, "queries": list(c.queries), "options": c.options} for c in found]
    rendered = dbt_rendered()
    if rendered is not None:
        out.append({"name": rendered.name, "read": rendered.read, "queries": list(rendered.queries), "options": {}})
    shapes = [s.build(s.quick_n if s.name != "nesting" else 40) for s in scaling.SHAPES]
    shapes += [synthetic_query(k) for k in (1, 4, 16)]
    out.append({"name": "shapes", "read": "spark", "queries": shapes, "options": {}})
    cache.write_text(json.dumps(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/shiftleft-output-corpora.json"))
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    with args.out.open("w") as dest:
        for c in corpora(args.cache):
            for cfg in CONFIGS:
                if c["name"].startswith("dbt-rendered") and cfg.get("sink"):
                    continue
                for i, q in enumerate(c["queries"]):
                    try:
                        text = shiftleft.transpile(q, read=c["read"], **c["options"], **cfg).model_dump_json()
                    except shiftleft.ShiftleftError as e:
                        text = f"{type(e).__name__}: {e}"
                    dest.write(json.dumps({"corpus": c["name"], "options": cfg, "i": i, "result": text}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
