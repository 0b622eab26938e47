"""Verify a translation on the real engine: plan it in the embedded Flink 2.3, and reconcile
its rows against the source SQL run on DuckDB.

:func:`verify` (exported as ``shiftleft.verify``) does two things:

1. **Plan.**  Every statement of the translated script is planned in the embedded Flink
   (streaming or batch), with the real Kafka / upsert-kafka / JDBC connector jars when the
   script uses them.  Planner errors become diagnostics (``SLV001``) pointing at the
   statement, line and column of the translated script.
2. **Reconcile.**  Given input rows (CSV / Parquet seed files, Python rows, or rows generated
   from ``schema``), the *source* SQL runs on DuckDB (translated to DuckDB by sqlglot) and the
   translated SQL runs on Flink over the same rows.  Streaming changelogs are folded into
   final rows, values are normalized (decimals and floats within ``rel_tol``, NULL = NULL,
   timestamps in UTC) and a row-level diff reports missing, extra and mismatched rows with
   their keys (:mod:`shiftleft.reconcile`).  Differences are ``SLV003`` diagnostics.

The package, by job: :mod:`~shiftleft.verification.report` (the report and its codes),
:mod:`~shiftleft.verification.confluent` (Confluent Cloud DDL → open-source Flink),
:mod:`~shiftleft.verification.inputs` (input rows for both engines),
:mod:`~shiftleft.verification.diff` and :mod:`~shiftleft.verification.duckdb_side` (the row
diff and the DuckDB side), :mod:`~shiftleft.verification.statements` (one statement's
reconciliation) and :mod:`~shiftleft.verification.run` (:func:`verify`).
"""

from __future__ import annotations

from shiftleft.flink_engine import default_planner
from shiftleft.verification.confluent import confluent_to_oss
from shiftleft.verification.report import (
    NOT_RECONCILED,
    PLANNER_ERROR,
    ROWS_DIFFER,
    RUNTIME_ERROR,
    SOURCE_ERROR,
    StatementCheck,
    VerifyReport,
)
from shiftleft.verification.run import Seeds, verify

__all__ = [
    "NOT_RECONCILED",
    "PLANNER_ERROR",
    "ROWS_DIFFER",
    "RUNTIME_ERROR",
    "SOURCE_ERROR",
    "Seeds",
    "StatementCheck",
    "VerifyReport",
    "confluent_to_oss",
    "default_planner",
    "verify",
]
