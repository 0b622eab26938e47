"""Embedded Apache Flink planner: check that a Flink SQL script is accepted by the real engine.

>>> planner = FlinkPlanner()                       # cheap; the JVM starts on the first plan()
>>> report = planner.plan(script, mode="streaming")  # doctest: +SKIP
>>> report.ok, [str(e) for e in report.errors]       # doctest: +SKIP

Every :meth:`FlinkPlanner.plan` call uses a fresh ``TableEnvironment`` (fresh in-memory
catalog) in the one JVM of the process.  The script is split into statements (by the small
tokenizer of :mod:`~shiftleft.flink_engine.script`, which knows strings, quoted identifiers,
comments and statement sets), and
each statement goes to the planner, never to a cluster:

* DDL (``CREATE`` / ``DROP`` / ``ALTER`` / ``USE`` / ``SET`` ...) -> ``executeSql``, which only
  touches the catalog.  ``CREATE TABLE ... AS SELECT`` would start a job, so it is explained
  and then only its table is created.
* queries and ``INSERT`` -> ``explainSql`` (parse, validate, optimize; the plan is kept).
* ``EXECUTE STATEMENT SET BEGIN ... END`` (and SQL-client ``BEGIN STATEMENT SET; ... END;``)
  -> a ``StatementSet`` with each ``INSERT`` added, then ``explain()``.

Errors do not stop the run: every statement is tried, and each failure becomes a
:class:`PlannerError` carrying the planner's own message (stack-trace noise removed) and the
position translated to line / column of the whole script.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shiftleft.flink_engine import jvm
from shiftleft.flink_engine.cluster import JobCluster
from shiftleft.flink_engine.java_errors import (
    ScriptError,
    is_java_error,
    java_error_to_planner_error,
)
from shiftleft.flink_engine.report import (
    PlanMode,
    PlannedStatement,
    PlannerError,
    PlanReport,
    StatementKind,
)
from shiftleft.flink_engine.script import ScriptStatement, SqlSegment, split_statements

log = logging.getLogger(__name__)

__all__ = [
    "FlinkPlanner",
    "PlanMode",
    "PlanSession",
    "PlanReport",
    "PlannedStatement",
    "PlannerError",
    "ScriptStatement",
    "SqlSegment",
    "StatementKind",
    "split_statements",
]


_SET_RE = re.compile(
    r"^SET(?:\s+(?P<key>'(?:[^']|'')*'|[^\s=']+)\s*=\s*(?P<value>'(?:[^']|'')*'|.*?))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_RESET_RE = re.compile(
    r"^RESET(?:\s+(?P<key>'(?:[^']|'')*'|[^\s']+))?\s*$", re.IGNORECASE | re.DOTALL
)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text


_AS_SELECT_OPERATIONS = frozenset({"CreateTableASOperation", "ReplaceTableAsOperation"})

_CODE_MAX_LENGTH = "table.generated-code.max-length"
_NEVER_SPLIT = 2**31 - 1

_SAFE_OTHER = frozenset(
    {"SHOW", "DESCRIBE", "DESC", "EXPLAIN", "LOAD", "UNLOAD", "ADD", "REMOVE", "HELP"}
)
"""``other`` statements that only read or touch the session; the rest are only explained."""

_SESSION_WORDS = frozenset({"SET", "RESET", "USE", "LOAD", "UNLOAD", "ADD", "REMOVE"})
"""``other`` statements that change the session: replayed by :meth:`PlanSession.fork`."""


class FlinkPlanner:
    """Plan (never run) Flink SQL scripts in an embedded Flink 2.3 planner.

    Constructing one is cheap; the JVM (one per process, shared by all planners) starts on
    the first :meth:`plan` or on :meth:`start`.  ``jars`` are connector jars (see
    :func:`shiftleft.flink_engine.connectors.connector_jars`): they are loaded in a class loader of
    this planner only, and listed in ``pipeline.jars``.  ``config`` adds Flink options to every
    environment.
    """

    def __init__(
        self,
        jars: Sequence[str | Path] | None = None,
        *,
        config: dict[str, str] | None = None,
    ) -> None:
        self.jars: tuple[Path, ...] = tuple(Path(j).resolve() for j in (jars or ()))
        missing = [str(j) for j in self.jars if not j.is_file()]
        if missing:
            raise FileNotFoundError(f"connector jar(s) not found: {', '.join(missing)}")
        self.config: dict[str, str] = {
            "parallelism.default": "1",
            "table.local-time-zone": "UTC",
        }
        if self.jars:
            self.config["pipeline.jars"] = ";".join(j.as_uri() for j in self.jars)
        self.config.update(config or {})
        self._class_loader: Any = None
        self._lock = threading.Lock()
        #: the mini-cluster that runs the jobs of this planner's runners (started on first use)
        self.job_cluster = JobCluster()

    # -- JVM side -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the JVM now (otherwise the first :meth:`plan` does).  Raises
        :class:`~shiftleft.errors.ShiftleftEnvironmentError` if PyFlink or Java is missing."""
        gateway = jvm.get_gateway()
        self._loader(gateway)

    def _loader(self, gateway: Any) -> Any:
        """A class loader with this planner's jars (created once), or None without jars."""
        if not self.jars:
            return None
        with self._lock:
            if self._class_loader is None:
                jvm_ = gateway.jvm
                urls = gateway.new_array(jvm_.java.net.URL, len(self.jars))
                for k, jar in enumerate(self.jars):
                    urls[k] = jvm_.java.io.File(str(jar)).toURI().toURL()
                parent = jvm_.Thread.currentThread().getContextClassLoader()
                self._class_loader = jvm_.java.net.URLClassLoader(urls, parent)
            return self._class_loader

    def new_environment(self, mode: PlanMode = "streaming", config: dict[str, str] | None = None) -> Any:
        """A fresh Java ``TableEnvironment`` with this planner's jars and configuration
        (``config`` adds options to this environment only).

        Starts the JVM if needed.  Used by :mod:`shiftleft.flink_engine.runner` to execute
        queries in the same JVM (an environment costs about 0.05 s).
        """
        if mode not in ("streaming", "batch"):
            raise ValueError(f"mode must be 'streaming' or 'batch', not {mode!r}")
        return self._new_environment(jvm.get_gateway(), mode, config)

    def _new_environment(self, gateway: Any, mode: PlanMode, config: dict[str, str] | None = None) -> Any:
        jvm_ = gateway.jvm
        conf = jvm_.org.apache.flink.configuration.Configuration()
        for key, value in (self.config | (config or {})).items():
            conf.setString(key, value)
        builder = jvm_.org.apache.flink.table.api.EnvironmentSettings.newInstance()
        builder = builder.inStreamingMode() if mode == "streaming" else builder.inBatchMode()
        loader = self._loader(gateway)
        if loader is not None:
            builder = builder.withClassLoader(loader)
        settings = builder.withConfiguration(conf).build()
        return jvm_.org.apache.flink.table.api.TableEnvironment.create(settings)

    # -- planning -----------------------------------------------------------------------------

    def plan(self, script: str, mode: PlanMode = "streaming") -> PlanReport:
        """Plan every statement of ``script`` in a fresh environment; never runs a job."""
        return self.session(mode).plan(script)

    def session(self, mode: PlanMode = "streaming") -> PlanSession:
        """An environment kept across scripts: tables declared by one :meth:`PlanSession.plan`
        are visible to the next (the JVM and environment start on the first call)."""
        if mode not in ("streaming", "batch"):
            raise ValueError(f"mode must be 'streaming' or 'batch', not {mode!r}")
        return PlanSession(self, mode)

    def _plan_statement(
        self,
        env: Any,
        st: ScriptStatement,
        planned: PlannedStatement,
        explain: Any,
        text_format: Any,
        details: Any,
    ) -> None:
        def attempt(segment: SqlSegment, action: Any) -> Any:
            try:
                return action(segment.sql)
            except Exception as exc:
                if not is_java_error(exc):
                    raise
                planned.errors.append(java_error_to_planner_error(exc, st.index, segment))
                return None

        if st.kind == "statement_set":
            if not st.parts:
                planned.errors.append(
                    PlannerError(
                        statement=st.index,
                        message="statement set contains no INSERT statement",
                        line=st.line,
                        column=st.column,
                    )
                )
                return
            stmt_set = env.createStatementSet()
            for part in st.parts:
                attempt(part, stmt_set.addInsertSql)
            if not planned.errors:
                whole = SqlSegment(st.sql, st.line, st.column, st.offset)
                planned.plan = attempt(
                    whole, lambda _sql: str(stmt_set.explain(text_format, details))
                )
            return

        (segment,) = st.parts
        if st.is_ctas:
            # executeSql would create the table AND start a job: explain it, then only
            # create the table so that later statements can use it.
            ops = attempt(segment, env.getParser().parse)
            if ops is None:
                return
            operation = ops.get(0)
            if str(operation.getClass().getSimpleName()) not in _AS_SELECT_OPERATIONS:
                attempt(segment, env.executeSql)  # not a CTAS after all: plain DDL
                return
            planned.plan = attempt(segment, explain)
            create = operation.getCreateTableOperation()
            try:
                if str(operation.getClass().getSimpleName()) == "ReplaceTableAsOperation":
                    temporary = "TEMPORARY " if create.isTemporary() else ""
                    name = create.getTableIdentifier().asSerializableString()
                    env.executeSql(f"DROP {temporary}TABLE IF EXISTS {name}")
                env.executeInternal(create)
            except Exception as exc:
                if not is_java_error(exc):
                    raise
                log.debug("could not register the CTAS table of statement %d", st.index)
            return
        first = st.keywords[0] if st.keywords else ""
        if first in ("SET", "RESET"):
            # SQL-client commands: TableEnvironment.executeSql rejects them, so apply them to
            # this environment's configuration (SET / RESET without a key are no-ops here).
            attempt(segment, lambda sql: self._set_or_reset(env, sql))
            return
        if st.kind == "ddl" or (st.kind == "other" and first in _SAFE_OTHER):
            attempt(segment, env.executeSql)
        else:  # queries, inserts and anything that could start a job: plan only
            planned.plan = attempt(segment, explain)

    @staticmethod
    def _set_or_reset(env: Any, sql: str) -> None:
        set_match = _SET_RE.match(sql.strip())
        if set_match:
            if set_match.group("key") is not None:
                env.getConfig().set(
                    _unquote(set_match.group("key")), _unquote(set_match.group("value"))
                )
            return
        reset_match = _RESET_RE.match(sql.strip())
        if reset_match:
            if reset_match.group("key") is not None:
                env.getConfig().getConfiguration().removeKey(_unquote(reset_match.group("key")))
            return
        raise ScriptError(
            "cannot read this statement: expected SET 'key' = 'value' or RESET 'key'"
        )


def _own_statement(sql: str) -> str:
    return sql.rstrip().rstrip(";") + ";\n"


class PlanSession:
    """One Flink ``TableEnvironment`` reused for many scripts (see :meth:`FlinkPlanner.session`).

    Each :meth:`plan` call reports its own statements (indexes and lines relative to that
    script), so a caller can plan a pipeline table by table and attribute every rejection to
    the table whose statement it is; what earlier calls declared stays declared.
    """

    def __init__(self, planner: FlinkPlanner, mode: PlanMode, gateway: Any = None) -> None:
        self.planner = planner
        self.mode = mode
        #: the Py4J client driving this session (None: the process's own)
        self._gateway = gateway
        self._env: Any = None
        self._text_format: Any = None
        #: ExplainDetail arrays: none, and CHANGELOG_MODE alone
        self._details: tuple[Any, Any] | None = None
        #: the statements planned so far that change the environment (DDL, SET, USE ...)
        self._declarations: list[str] = []

    def fork(self) -> PlanSession:
        """A new session (its own ``TableEnvironment`` in the same JVM) in the state of this
        one: the DDL and session statements planned here so far are planned there again.

        It may plan while other sessions plan in other threads: it is driven through a Py4J
        client of its own (:func:`~shiftleft.flink_engine.jvm.new_client`), owned by the
        thread calling ``fork`` until :meth:`close`; only that thread may use it."""
        gateway = jvm.new_client()
        gateway._gateway_client.own(True)
        twin = PlanSession(self.planner, self.mode, gateway)
        for sql in self._declarations:
            twin.plan(sql)
        return twin

    def close(self) -> None:
        """Release a fork's Py4J client from its thread (nothing to do for other sessions)."""
        if self._gateway is not None:
            self._gateway._gateway_client.own(False)

    def _start(self) -> None:
        gateway = self._gateway or jvm.get_gateway()
        env = self.planner._new_environment(gateway, self.mode)
        # generated code is never compiled here: do not split it into small methods (the
        # splitter parses every generated class, the better part of planning an INSERT)
        env.getConfig().set(_CODE_MAX_LENGTH, str(_NEVER_SPLIT))
        jvm_ = gateway.jvm
        explain_detail = jvm_.org.apache.flink.table.api.ExplainDetail
        no_details = gateway.new_array(explain_detail, 0)
        changelog = gateway.new_array(explain_detail, 1)
        changelog[0] = explain_detail.CHANGELOG_MODE
        self._env, self._details = env, (no_details, changelog)
        self._text_format = jvm_.org.apache.flink.table.api.ExplainFormat.TEXT

    def plan(self, script: str, changelog: bool = False) -> PlanReport:
        """Plan every statement of ``script`` in this session's environment; never runs a job.
        ``changelog``: the plans of queries and inserts show each operator's changelog mode
        (``ExplainDetail.CHANGELOG_MODE``: ``changelogMode=[I,UB,UA,D]``)."""
        started = time.perf_counter()
        statements = split_statements(script)
        report = PlanReport(mode=self.mode)
        if not statements:
            return report
        if self._env is None:
            self._start()
        assert self._details is not None
        env, text_format = self._env, self._text_format
        details = self._details[1 if changelog else 0]

        def explain(sql: str) -> str:
            return str(env.explainSql(sql, text_format, details))

        for st in statements:
            t0 = time.perf_counter()
            planned = PlannedStatement(
                index=st.index, sql=st.sql, kind=st.kind, line=st.line, column=st.column
            )
            try:
                self.planner._plan_statement(env, st, planned, explain, text_format, details)
            finally:
                planned.elapsed_ms = round((time.perf_counter() - t0) * 1000, 2)
            if planned.errors:
                log.debug("statement %d rejected: %s", st.index, planned.errors[0].message)
            if st.kind == "ddl" or (st.keywords[:1] and st.keywords[0] in _SESSION_WORDS):
                self._declarations.append(_own_statement(st.sql))
            report.statements.append(planned)
        report.elapsed_s = round(time.perf_counter() - started, 4)
        return report
