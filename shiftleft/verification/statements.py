"""One statement's reconciliation: the source statement run on DuckDB, its translation on
Flink over the same rows, and the row diff (:class:`Reconciler`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp

from shiftleft.dialects import build
from shiftleft.flink_engine.planner import FlinkPlanner
from shiftleft.flink_engine.runner import FlinkExecutionError, FlinkRunner
from shiftleft.models import Diagnostic, Severity
from shiftleft.options import VerifyOptions
from shiftleft.verification.diff import ResultSet, diff_results, top_level_order
from shiftleft.verification.duckdb_side import DuckDBSide
from shiftleft.verification.report import (
    NOT_RECONCILED,
    ROWS_DIFFER,
    RUNTIME_ERROR,
    StatementCheck,
    VerifyReport,
)

log = logging.getLogger(__name__)


def query_of(sql: str, dialect: str) -> tuple[str, exp.Expr | None, str | None]:
    """Classify a statement: ('query', tree, None), ('insert', query tree, table),
    ('ctas', query tree, table), ('view', tree, name), ('ddl', None, table) or ('other', ...)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.SqlglotError:
        return "other", None, None
    if isinstance(tree, exp.Query):
        return "query", tree, None
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Query):
        table = tree.find(exp.Table)
        return "insert", tree.expression, table.name if table else None
    if isinstance(tree, exp.Create):
        kind = (tree.args.get("kind") or "").upper()
        table = tree.find(exp.Table)
        name = table.name if table else None
        if kind == "VIEW":
            return "view", tree, name
        if kind == "TABLE" and isinstance(tree.expression, exp.Query):
            return "ctas", tree.expression, name
        if kind == "TABLE":
            return "ddl", None, name
    return "other", tree, None


@dataclass
class Reconciler:
    """Runs statement pairs (source, translation) on DuckDB and Flink over the same rows."""

    side: DuckDBSide
    runner: FlinkRunner
    env: Any  #: the Flink table environment holding the seeded tables
    read: str
    mode: str
    keys: Sequence[str | int] | None = None
    rel_tol: float = 1e-6
    seeded: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.seeded = {t.lower() for t in self.side.tables()}

    def statement(self, index: int, src: str, flk: str) -> StatementCheck | None:
        """The check of statement ``index`` (None: nothing to compare, e.g. DDL)."""
        kind, tree, name = query_of(src, self.read)
        fkind, ftree, _ = query_of(flk, "flink")
        if kind == "ddl":
            if name and name.lower() not in self.seeded and fkind == "ddl":
                try:
                    self.side.execute(src, read=self.read)
                except Exception:  # noqa: BLE001 - a sink DuckDB cannot create is not needed
                    log.debug("DuckDB could not create %s", name)
                try:
                    self.runner.execute(self.env, flk, statement=index)
                except FlinkExecutionError:
                    log.debug("Flink could not create %s for reconciliation", name)
            return None
        if kind == "view":
            try:
                self.side.execute(src, read=self.read)
                self.runner.execute(self.env, flk, statement=index)
            except Exception as exc:  # noqa: BLE001
                return StatementCheck(
                    statement=index, source=src, flink_sql=flk, status="error",
                    reason=f"could not create the view: {_short(exc)}",
                )
            return None
        if kind not in ("query", "insert", "ctas") or tree is None:
            return None
        src_query = tree.sql(dialect=self.read)
        if fkind in ("query", "insert", "ctas") and ftree is not None:
            flink_query = ftree.sql(dialect="flink")
            if fkind == "query":
                flink_query = flk
        else:
            return StatementCheck(
                statement=index, source=src, flink_sql=flk, status="skipped",
                reason="the translation of this query is not a query",
            )
        try:
            expected = self.side.query(src_query, read=self.read)
        except Exception as exc:  # noqa: BLE001 - the source itself failing is not our finding
            return StatementCheck(
                statement=index, source=src_query, flink_sql=flink_query, status="skipped",
                reason=f"the source query failed on DuckDB: {_short(exc)}",
            )
        try:
            got = self.runner.query(self.env, flink_query, statement=index)
        except FlinkExecutionError as exc:
            return StatementCheck(
                statement=index, source=src_query, flink_sql=flink_query, status="error",
                reason=f"Flink failed: {exc.error.message}", expected_rows=len(expected.rows),
            )
        ordered, order_cols = top_level_order(src_query, self.read) if self.mode == "batch" else (False, None)
        diff = diff_results(
            expected,
            ResultSet(columns=got.columns, rows=got.rows),
            ordered=ordered,
            order_columns=order_cols,
            keys=self.keys,
            rel_tol=self.rel_tol,
        )
        if kind == "ctas" and name:
            try:
                table = exp.Create(
                    this=build.table(name), kind="TABLE", replace=True, expression=tree.copy()
                )
                self.side.execute(build.to_sql(table, dialect=self.read, pretty=False), read=self.read)
                view = build.create_view(name, ftree.copy(), temporary=True)
                self.runner.execute(self.env, build.to_sql(view), statement=index)
            except Exception:  # noqa: BLE001
                log.debug("could not register CTAS %s for later statements", name)
        return StatementCheck(
            statement=index,
            source=src_query,
            flink_sql=flink_query,
            status="equal" if diff.ok else "different",
            reason=None if diff.ok else diff.summary(),
            diff=diff,
            expected_rows=len(expected.rows),
            actual_rows=len(got.rows),
        )


def reconcile(
    report: VerifyReport,
    pairs: Sequence[tuple[str, str]],
    side: DuckDBSide,
    setup: list[str],
    planner: FlinkPlanner,
    options: VerifyOptions,
) -> None:
    """Reconcile each (source, translation) statement pair over the seeded tables ``setup``
    (read, mode, keys and tolerance from ``options``); checks and diagnostics go to ``report``."""
    runner = FlinkRunner(planner)
    try:
        env = runner.environment(options.mode.value, setup)
    except FlinkExecutionError as exc:
        report.diagnostics.append(
            Diagnostic.of(
                RUNTIME_ERROR,
                f"could not create the seeded Flink tables: {exc.error.message}",
            )
        )
        return
    reconciler = Reconciler(
        side, runner, env, options.read, options.mode.value, options.keys, options.rel_tol
    )
    for index, (src, flk) in enumerate(pairs, start=1):
        check = reconciler.statement(index, src, flk)
        if check is None:
            continue
        report.checks.append(check)
        if check.status == "different":
            report.diagnostics.append(
                Diagnostic.of(ROWS_DIFFER, f"rows differ: {check.reason}", statement=index)
            )
        elif check.status == "error":
            report.diagnostics.append(
                Diagnostic.of(RUNTIME_ERROR, check.reason or "failed", statement=index)
            )
        elif check.status == "skipped":
            # a statement whose rows were not compared is never covered by "verified"
            report.diagnostics.append(
                Diagnostic.of(
                    NOT_RECONCILED,
                    f"rows not compared: {check.reason}",
                    severity=Severity.WARNING,
                    statement=index,
                )
            )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:500] if text else type(exc).__name__
