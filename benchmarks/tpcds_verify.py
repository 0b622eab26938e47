"""Verify shiftleft's translations of the 99 TPC-DS queries on the embedded Flink 2.3 (batch).

    python benchmarks/tpcds_verify.py                    # Markdown table on stdout
    python benchmarks/tpcds_verify.py --out results.md   # also write it to a file
    python benchmarks/tpcds_verify.py --sf 0.01 --queries 1 2 3

Each query (text and data from DuckDB's tpcds extension, ``CALL dsdgen(sf=...)``) is
translated with ``read="duckdb"``, planned on Flink, run on Flink over the same rows and
compared with DuckDB's result (shiftleft.tpc.run_tpc).  Exit code 0 unless the run crashed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None, benchmark: str = "tpcds") -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf", type=float, default=0.01, help="scale factor (default 0.01)")
    parser.add_argument("--queries", type=int, nargs="*", help="only these query numbers")
    parser.add_argument("--out", type=Path, help="also write the Markdown table here")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress on stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sqlglot").setLevel(logging.ERROR)

    from shiftleft.tpc import markdown_report, run_tpc

    started = time.perf_counter()
    outcomes = run_tpc(benchmark, sf=args.sf, queries=args.queries)  # type: ignore[arg-type]
    name = "TPC-DS" if benchmark == "tpcds" else "TPC-H"
    title = f"{name} sf {args.sf}: shiftleft translation verified on Flink 2.3 (batch)"
    text = markdown_report(outcomes, title)
    text += f"\nTotal time: {time.perf_counter() - started:.0f} s\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
