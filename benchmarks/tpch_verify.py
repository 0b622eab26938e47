"""Verify shiftleft's translations of the 22 TPC-H queries on the embedded Flink 2.3 (batch).

    python benchmarks/tpch_verify.py [--sf 0.01] [--queries 1 2] [--out results.md] [--timeout 60]

Same as benchmarks/tpcds_verify.py, for TPC-H (``CALL dbgen(sf=...)``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tpcds_verify import main

if __name__ == "__main__":
    sys.exit(main(benchmark="tpch"))
