"""Verify shiftleft's translations of the 99 TPC-DS queries on the embedded Flink 2.3 (batch).

    python benchmarks/tpcds_verify.py                    # Markdown table on stdout
    python benchmarks/tpcds_verify.py --out results.md   # also write it to a file
    python benchmarks/tpcds_verify.py --sf 0.01 --queries 1 2 3
    python benchmarks/tpcds_verify.py --timeout 120      # per-query limit on Flink (default 60 s)

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
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="per-query limit on Flink; the job is cancelled past it (default 60)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress on stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sqlglot").setLevel(logging.ERROR)

    from shiftleft.tpc import TpcOutcome, markdown_report, run_tpc

    started = time.perf_counter()

    def progress(outcome: TpcOutcome) -> None:
        print(f"q{outcome.query}: {outcome.status} ({outcome.seconds} s) {outcome.reason or ''}",
              file=sys.stderr, flush=True)

    outcomes = run_tpc(benchmark, sf=args.sf, queries=args.queries,  # type: ignore[arg-type]
                       timeout_s=args.timeout, progress=progress if args.verbose else None)
    name = "TPC-DS" if benchmark == "tpcds" else "TPC-H"
    title = f"{name} sf {args.sf}: shiftleft translation verified on Flink 2.3 (batch)"
    title += f", per-query limit {args.timeout:g} s"
    text = markdown_report(outcomes, title)
    text += f"\nTotal time: {time.perf_counter() - started:.0f} s\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
