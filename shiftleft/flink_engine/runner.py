"""Execute Flink SQL on the embedded Flink 2.3 mini-cluster and collect the result rows.

The planner (:mod:`shiftleft.flink_engine.planner`) only explains; this module runs jobs, in
the same process-global JVM, for the verification of translations
(:mod:`shiftleft.verification`):

* **Seed tables** are loaded with the ``filesystem`` connector (shipped with PyFlink) over
  newline-delimited JSON files (:func:`seed_table_ddl`); JSON, unlike CSV, carries arrays,
  maps, rows and NULLs.  The files are written by the caller (DuckDB ``COPY ... (FORMAT
  json)`` in :mod:`shiftleft.reconcile`).
* **Batch** queries are collected as they are.  **Streaming** queries over bounded seed
  sources finish too; their changelog (``+I`` / ``-U`` / ``+U`` / ``-D``) is folded into the
  final rows (:func:`fold_changelog`).
* Java errors never escape as py4j tracebacks: they become
  :class:`~shiftleft.flink_engine.planner.PlannerError` (statement / line / column) inside a
  :class:`FlinkExecutionError`.

>>> runner = FlinkRunner()                                     # doctest: +SKIP
>>> env = runner.environment("batch", ["CREATE TABLE t (...) WITH (...)"])  # doctest: +SKIP
>>> runner.query(env, "SELECT a, COUNT(*) FROM t GROUP BY a").rows   # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shiftleft.dialects import build
from shiftleft.errors import ShiftleftError
from shiftleft.flink_engine.java_errors import is_java_error, java_error_to_planner_error
from shiftleft.flink_engine.planner import FlinkPlanner, PlanMode
from shiftleft.flink_engine.report import PlannerError
from shiftleft.flink_engine.script import SqlSegment

log = logging.getLogger(__name__)

BATCH_RUN_CONFIG: dict[str, str] = {
    "table.exec.resource.default-parallelism": "1",
    # Flink 2's adaptive joins decide broadcast / shuffle and skew handling when the job runs:
    # the JobMaster then generates each join's code (and re-renders the job's stream graph as
    # JSON) as the job graph grows, one join at a time.  That work grows with the number of
    # joins and dwarfs the data work on seed-sized inputs: TPC-DS q64 (29 joins, all
    # adaptive) spent 33-39 s CPU running, 10-14 s without adaptive joins.  The plans are
    # the static ones (hash joins chosen by the planner), with the same results.  (Raising
    # table.generated-code.max-length to skip the code splitter's ANTLR parse saved a few
    # seconds more, but Janino then failed on large TPC-DS operators: "Invalid local
    # variable index".)
    "table.optimizer.adaptive-broadcast-join.strategy": "NONE",
    "table.optimizer.skewed-join-optimization.strategy": "NONE",
}
"""Flink options of every batch environment that runs verification jobs (small seed data)."""

INSERT_KINDS = frozenset({"+I", "+U"})
RETRACT_KINDS = frozenset({"-U", "-D"})


class FlinkExecutionError(ShiftleftError):
    """Flink rejected or failed a statement while running it (the error says where)."""

    def __init__(self, error: PlannerError) -> None:
        self.error = error
        super().__init__(str(error))


class QueryRows(BaseModel):
    """The result of one query run on Flink."""

    columns: list[str] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list, description="Flink logical types")
    rows: list[tuple[Any, ...]] = Field(
        default_factory=list, description="final rows (changelog folded in streaming)"
    )
    changelog_rows: int = Field(0, description="rows received, before folding")
    unmatched_retractions: int = Field(
        0, description="-U/-D rows with no earlier matching insert (should be 0)"
    )
    elapsed_s: float = 0.0


def fold_changelog(changes: Iterable[tuple[str, tuple[Any, ...]]]) -> tuple[list[tuple[Any, ...]], int]:
    """Fold a changelog into the final multiset of rows.

    ``changes`` are ``(kind, row)`` pairs with kind ``+I``, ``-U``, ``+U`` or ``-D`` (as
    ``RowKind.shortString()``).  Inserts add one copy of the row, retractions remove one.
    Returns ``(rows, unmatched)``: rows in first-insert order, and the number of retractions
    that found no row to remove (a well-formed changelog has none).
    """
    counts: Counter[tuple[Any, ...]] = Counter()
    order: dict[tuple[Any, ...], None] = {}
    unmatched = 0
    for kind, row in changes:
        key = _hashable(row)
        if kind in INSERT_KINDS:
            counts[key] += 1
            order.setdefault(key, None)
        elif kind in RETRACT_KINDS:
            if counts[key] > 0:
                counts[key] -= 1
            else:
                unmatched += 1
        else:
            raise ValueError(f"unknown row kind {kind!r}")
    rows: list[tuple[Any, ...]] = []
    for key in order:
        rows.extend([key] * counts[key])
    return rows, unmatched


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if hasattr(value, "as_dict") and callable(value.as_dict):  # pyflink Row with names
        return tuple(_hashable(v) for v in value)
    return value


def seed_table_ddl(
    name: str,
    columns: Sequence[tuple[str, str]],
    path: str | Path,
    *,
    temporary: bool = True,
    watermark: str | None = None,
) -> str:
    """``CREATE TABLE`` of a filesystem / JSON-lines table over ``path`` (a file or folder).

    ``columns`` are ``(name, flink type)``; ``watermark``: a column of them that becomes the
    table's event time (``WATERMARK FOR c AS c``: events in order).
    """
    entries = build.column_defs(columns)
    if watermark:
        entries.append(build.watermark(watermark, delay_seconds=None))
    options = build.options(filesystem_options(path))
    return build.to_sql(build.create_table(name, entries, options, temporary=temporary))


def filesystem_options(path: str | Path) -> dict[str, str]:
    """The ``WITH`` options of a JSON-lines filesystem source over ``path``."""
    return {
        "connector": "filesystem",
        "path": Path(path).resolve().as_posix(),
        "format": "json",
        "json.fail-on-missing-field": "false",
        "json.ignore-parse-errors": "false",
        "json.timestamp-format.standard": "SQL",
    }


class FlinkRunner:
    """Run Flink SQL in the embedded mini-cluster (one JVM per process, shared with planners).

    ``planner`` supplies the JVM, jars and configuration (a :class:`FlinkPlanner` without
    connector jars is created when omitted).  ``max_rows`` caps what one query may return
    (a safety net for unbounded streaming sources), ``timeout_s`` how long a query may run
    (past it the job is cancelled, see :meth:`query`; 0 or less: no limit).
    """

    def __init__(
        self,
        planner: FlinkPlanner | None = None,
        *,
        max_rows: int = 1_000_000,
        timeout_s: float = 300.0,
    ) -> None:
        self.planner = planner or FlinkPlanner()
        self.max_rows = max_rows
        self.timeout_s = timeout_s

    def start(self) -> None:
        """Start the JVM now; raises ShiftleftEnvironmentError when PyFlink / Java is missing."""
        self.planner.start()

    def environment(self, mode: PlanMode, setup: Sequence[str] = ()) -> Any:
        """A new Java TableEnvironment in ``mode``, with the ``setup`` statements executed.

        Raises :class:`FlinkExecutionError` for the first setup statement Flink rejects
        (its ``statement`` is the 1-based index in ``setup``).
        """
        # jobs run on the planner's mini-cluster, started once (see flink_engine.cluster)
        env = self.planner.new_environment(mode, self.planner.job_cluster.options())
        config = env.getConfig()
        if mode == "batch":
            for key, value in BATCH_RUN_CONFIG.items():
                config.set(key, value)
        for k, sql in enumerate(setup, start=1):
            self.execute(env, sql, statement=k)
        return env

    def execute(self, env: Any, sql: str, *, statement: int = 1) -> None:
        """Execute a DDL / DML statement and wait for any job it starts."""
        try:
            result = env.executeSql(sql)
            job = result.getJobClient()
            if job.isPresent():
                getattr(result, "await")()  # `await` is a Python keyword
        except Exception as exc:  # noqa: BLE001 - non-Java errors are re-raised
            self._raise(exc, sql, statement)

    def query(
        self,
        env: Any,
        sql: str,
        *,
        statement: int = 1,
        line: int = 1,
        column: int = 1,
        timeout_s: float | None = None,
    ) -> QueryRows:
        """Run ``sql`` (a query) and return its final rows (changelog folded).

        ``timeout_s`` (default: the runner's ``timeout_s``) bounds the whole query, rows or
        not: a watchdog thread cancels the Flink job and closes the result iterator when it
        passes, and a :class:`FlinkExecutionError` saying so is raised.  The environment and
        the JVM stay usable for the next query.
        """
        from pyflink.table.table_result import TableResult

        limit = self.timeout_s if timeout_s is None else timeout_s
        started = time.perf_counter()
        watchdog = _Watchdog(limit)
        changes: list[tuple[str, tuple[Any, ...]]] = []
        columns: list[str] = []
        types: list[str] = []
        try:
            watchdog.start()
            j_result = env.executeSql(sql)
            watchdog.attach(j_result)  # cancels at once when the limit passed while planning
            schema = j_result.getResolvedSchema()
            columns = [str(c) for c in schema.getColumnNames()]
            types = [str(t) for t in schema.getColumnDataTypes()]
            with TableResult(j_result).collect() as results:
                watchdog.attach_iterator(results)
                for row in results:
                    if watchdog.fired:
                        break
                    changes.append((str(row.get_row_kind()), tuple(row)))
                    if len(changes) > self.max_rows:
                        raise FlinkExecutionError(
                            PlannerError(
                                statement=statement,
                                message=f"the query returned more than {self.max_rows} rows; "
                                "stopped (is a source unbounded?)",
                                line=line,
                                column=column,
                            )
                        )
            watchdog.stop()  # the rows are complete: a late timer must not discard them
        except FlinkExecutionError:
            watchdog.stop()
            watchdog.cancel_job()  # e.g. too many rows: do not leave the job running
            raise
        except Exception as exc:  # noqa: BLE001 - non-Java errors are re-raised
            watchdog.stop()
            if not watchdog.fired:
                self._raise(exc, sql, statement, line, column)
        finally:
            watchdog.stop()
        if watchdog.fired:
            status = watchdog.wait_cancelled()
            raise FlinkExecutionError(
                PlannerError(
                    statement=statement,
                    message=f"the query ran longer than the time limit of {limit:g} s; "
                    f"the Flink job was cancelled (job status {status})",
                    line=line,
                    column=column,
                )
            )
        rows, unmatched = fold_changelog(changes)
        if unmatched:
            log.warning("statement %d: %d retractions matched no row", statement, unmatched)
        return QueryRows(
            columns=columns,
            types=types,
            rows=rows,
            changelog_rows=len(changes),
            unmatched_retractions=unmatched,
            elapsed_s=round(time.perf_counter() - started, 4),
        )

    @staticmethod
    def _raise(
        exc: BaseException, sql: str, statement: int, line: int = 1, column: int = 1
    ) -> None:
        if not is_java_error(exc):
            raise exc
        error = java_error_to_planner_error(exc, statement, SqlSegment(sql, line, column, 0))
        raise FlinkExecutionError(error) from None


class _Watchdog:
    """Cancels a running Flink query when its time limit passes (from a timer thread).

    The main thread blocks in the Java result iterator (``hasNext``) while the job runs, so the
    limit cannot be checked there: the timer cancels the job through its ``JobClient`` and
    closes the iterator, which makes the blocked call return (or fail), and :attr:`fired`
    tells the main thread that the limit, not Flink, ended the query.  Py4J serves calls from
    several Python threads over separate connections, so the cancel does not wait for the
    blocked call.
    """

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self.fired = False
        self._lock = threading.Lock()
        self._stopped = False
        self._j_result: Any = None
        self._iterator: Any = None
        self._cancelled = False
        self._timer = threading.Timer(max(limit_s, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.name = "shiftleft-flink-watchdog"

    def start(self) -> None:
        if self.limit_s > 0:
            self._timer.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self._timer.cancel()

    def attach(self, j_result: Any) -> None:
        with self._lock:
            self._j_result = j_result
            fired = self.fired
        if fired:
            self.cancel_job()

    def attach_iterator(self, iterator: Any) -> None:
        with self._lock:
            self._iterator = iterator
            fired = self.fired
        if fired:
            self._close_iterator()

    def _fire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.fired = True
        log.warning("a Flink query passed its time limit of %g s; cancelling the job", self.limit_s)
        self.cancel_job()
        self._close_iterator()

    def _job_client(self) -> Any:
        j_result = self._j_result
        if j_result is None:
            return None
        try:
            job = j_result.getJobClient()
            return job.get() if job.isPresent() else None
        except Exception as exc:  # noqa: BLE001 - best effort
            log.debug("no job client: %s", exc)
            return None

    def cancel_job(self) -> None:
        """Ask Flink to cancel the job (once; best effort)."""
        with self._lock:
            if self._cancelled:
                return
            client = self._job_client()
            if client is None:
                return
            self._cancelled = True
        try:
            status = str(client.getJobStatus().get())
            if status in _TERMINAL_JOB_STATES:
                return
            client.cancel()
        except Exception as exc:  # noqa: BLE001 - the job may have just finished
            log.debug("cancelling the Flink job failed: %s", exc)

    def _close_iterator(self) -> None:
        iterator = self._iterator
        if iterator is None:
            return
        try:
            iterator.close()
        except Exception as exc:  # noqa: BLE001 - best effort
            log.debug("closing the result iterator failed: %s", exc)

    def wait_cancelled(self, limit_s: float = 30.0) -> str:
        """Cancel the job if not yet done, wait (bounded) until it has stopped; its status."""
        self.cancel_job()
        client = self._job_client()
        if client is None:
            return "unknown, no job was started"
        deadline = time.monotonic() + limit_s
        status = "unknown"
        while time.monotonic() < deadline:
            try:
                status = str(client.getJobStatus().get())
            except Exception as exc:  # noqa: BLE001
                if "shut down" in str(exc):  # a per-job mini-cluster stops with its job
                    return "stopped, its mini-cluster has shut down"
                log.debug("the status of the cancelled Flink job is unknown: %s", exc)
                return "unknown"
            if status in _TERMINAL_JOB_STATES:
                return status
            time.sleep(0.2)
        log.warning("the cancelled Flink job did not stop within %g s", limit_s)
        return f"{status}, still stopping"


_TERMINAL_JOB_STATES = frozenset({"CANCELED", "FAILED", "FINISHED", "SUSPENDED"})


def write_json_lines(path: str | Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Write ``rows`` as JSON lines (dates / decimals as strings) for :func:`seed_table_ddl`."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, default=str, sort_keys=False) + "\n" for row in rows)
    return target
