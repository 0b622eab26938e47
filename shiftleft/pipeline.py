"""``shiftleft.transpile``: the pipeline parse → rewrite → generate for one SQL script."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

from shiftleft.dialects.user_functions import apply_functions, load_functions
from shiftleft.errors import ConfigError, ShiftleftError
from shiftleft.generate import generate
from shiftleft.limits import deep_stack
from shiftleft.models import Diagnostic, Mode, OutputKind, Severity, StatementResult, Target, TranspileResult
from shiftleft.parse import ReadStatement, get_dialect, read_script
from shiftleft.precedence import parenthesize
from shiftleft.rewrite.context import RuleContext
from shiftleft.rewrite.engine import BeforeChecks, rewrite
from shiftleft.rewrite.registry import RuleSet, resolve_rules
from shiftleft.streaming.catalog import ScriptCatalog, describe, inferred_event_time
from shiftleft.streaming.options import StreamingOptions
from shiftleft.streaming.sink import SinkOptions, sink_statements
from shiftleft.streaming.sources import source_ddl

if TYPE_CHECKING:
    from shiftleft.llm import LLMConfig

logger = logging.getLogger(__name__)

GENERATOR_RULE_ID = "SL9002"


def _enum(value: object, enum: type, what: str):  # type: ignore[no-untyped-def]
    try:
        return enum(value.value if isinstance(value, enum) else str(value).lower())
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in enum)
        raise ConfigError(f"unknown {what} {value!r}; expected one of {allowed}") from None


def _check_schema(schema: object) -> Mapping[str, Mapping[str, str]]:
    if schema is None:
        return {}
    if not isinstance(schema, Mapping) or not all(
        isinstance(t, str) and isinstance(cols, Mapping) and all(isinstance(c, str) and isinstance(ty, str) for c, ty in cols.items())
        for t, cols in schema.items()
    ):
        raise ConfigError('schema must look like {"table": {"column": "TYPE", ...}, ...}')
    return schema


def _check_event_time(event_time: object) -> Mapping[str, str]:
    if event_time is None:
        return {}
    if not isinstance(event_time, Mapping) or not all(
        isinstance(t, str) and isinstance(c, str) for t, c in event_time.items()
    ):
        raise ConfigError('event_time must look like {"table": "event_time_column", ...}')
    return event_time


@deep_stack
def transpile(
    sql: str,
    *,
    read: str = "spark",
    target: Target | str = Target.FLINK,
    mode: Mode | str = Mode.STREAMING,
    schema: Mapping[str, Mapping[str, str]] | None = None,
    event_time: Mapping[str, str] | None = None,
    rules: RuleSet | Sequence[str | Path] | None = None,
    disable: Iterable[str] = (),
    pretty: bool = False,
    llm: LLMConfig | bool | None = None,
    sink: str | SinkOptions | None = None,
    sources: bool = False,
    streaming: StreamingOptions | None = None,
    functions: Mapping[str, str] | str | Path | None = None,
) -> TranspileResult:
    """Translate a SQL script (one or more statements) into Flink SQL.

    Args:
        sql: the input script; statements separated by ``;``.
        read: sqlglot dialect of the input (``spark``, ``databricks``, ``hive``, ``duckdb``, ...).
        target: ``"flink"`` (open-source Flink 2.x) or ``"confluent"`` (Confluent Cloud).
        mode: ``"streaming"`` or ``"batch"``; some rules apply to one mode only.
        schema: optional column types, ``{"table": {"column": "TYPE"}}``; rules use them to
            decide e.g. whether ``a / b`` is an integer division.
        event_time: the event-time column of each source table, ``{"orders": "order_ts"}``
            (a column with a watermark in Flink); streaming rules order, window and join on it.
        rules: extra rule-pack directories to load after the built-in ones, or a ready
            :class:`~shiftleft.rewrite.registry.RuleSet`.
        disable: rule ids or names to switch off.
        pretty: format the output over several lines.
        llm: ask a local Ollama model to translate what no rule could (``True`` for the
            defaults, or an :class:`~shiftleft.llm.LLMConfig`); off by default.  Answers are
            parsed and checked, never trusted blindly; see the README.
        sink: write the script's query into a sink table of this name (or
            :class:`~shiftleft.streaming.sink.SinkOptions`): the sink DDL fitting the query's
            changelog (append / upsert with its key / retract) is emitted before an
            ``INSERT INTO``.  Spark ``INSERT OVERWRITE`` and ``CREATE TABLE AS SELECT`` get a
            sink table in streaming mode whether or not this is set.
        streaming: streaming policies (:class:`~shiftleft.streaming.options.StreamingOptions`:
            a state TTL hint for regular joins, how to treat the current time).
        functions: user mappings for project-specific functions (UDFs), ``{"name":
            "FLINK_TEMPLATE($1, ...)"}`` or a YAML / JSON / TOML file of them (see
            :mod:`shiftleft.dialects.user_functions`); applied before the rules.
        sources: also write ``CREATE TABLE`` statements for the tables the script reads
            (columns from ``schema``, else inferred from usage; a watermark on the
            ``event_time`` column), before the script's own statements.

    Returns:
        a :class:`TranspileResult`; check ``result.ok`` / ``result.diagnostics``.

    Raises:
        InputError: the text cannot be read as ``read`` SQL (says statement, line, column).
        ConfigError: an unknown dialect, target, mode, rule id, or a bad rule pack.
    """
    target_ = _enum(target, Target, "target")
    mode_ = _enum(mode, Mode, "mode")
    get_dialect(read, role="read")
    schema_ = _check_schema(schema)
    event_time_ = _check_event_time(event_time)
    ruleset = resolve_rules(rules, disable)
    fallback = _llm_fallback(llm)
    sink_options = _sink_options(sink)
    if streaming is not None and not isinstance(streaming, StreamingOptions):
        raise ConfigError(f"streaming must be StreamingOptions, not {type(streaming).__name__}")
    streaming_ = streaming or StreamingOptions()
    user_functions = load_functions(functions)

    results: list[StatementResult] = []
    final_trees: list[exp.Expr] = []
    read_statements = read_script(sql, read)
    unread = [s.error for s in read_statements if s.error is not None]
    if unread and len(unread) == len(read_statements):
        raise unread[0]  # nothing could be read: the script is bad input as a whole
    inferred: list[Diagnostic] = []
    if sources and mode_ is Mode.STREAMING:  # shiftleft writes the watermark: infer the event time
        event_time_, inferred = inferred_event_time([s.tree for s in read_statements if s.tree], schema_, event_time_, read)
    catalog = ScriptCatalog(event_time_, schema_, streaming_.relations)
    for stmt in read_statements:
        if stmt.error is not None:
            results.append(_unreadable(stmt))
            continue
        try:
            assert stmt.tree is not None
            ctx = RuleContext(
                target=target_,
                mode=mode_,
                read=read,
                statement=stmt.index,
                schema=schema_,
                event_time=event_time_,
                streaming=streaming_,
            )
            tree, applied = rewrite(apply_functions(stmt.tree, user_functions), ruleset, ctx, before_checks=fallback)
            parenthesize(tree)  # operands rules built without parentheses
            ddl = None
            replaced = sink_statements(tree, ctx, sink_options, catalog)
            if replaced is not None:
                ddl, tree = replaced
            final_trees.append(tree)
            outputs = []
            try:
                text, unsupported = generate(tree, target_, pretty=pretty)
                outputs.append(describe(tree, text, catalog))
                if ddl is not None:
                    outputs.insert(0, describe(tree, ddl, catalog, OutputKind.SINK_DDL))
                    text = f"{ddl};\n{text}"
            except Exception as e:  # noqa: BLE001 - keep the user's statement rather than crash
                logger.debug("generation failed", exc_info=True)
                text, unsupported = stmt.source, []
                ctx.report(
                    stmt.tree,
                    f"could not generate Flink SQL for this statement ({type(e).__name__}: {e}); "
                    "the input statement is kept unchanged",
                    severity=Severity.ERROR,
                    rule_id=GENERATOR_RULE_ID,
                    suggestion="please report this as a shiftleft bug, with the statement",
                )
            for message in unsupported:
                ctx.diagnostics.append(
                    Diagnostic(
                        rule_id=GENERATOR_RULE_ID,
                        severity=Severity.ERROR,
                        message=f"not expressible in Flink SQL: {message}",
                        statement=stmt.index,
                        line=stmt.line,
                    )
                )
            results.append(
                StatementResult(
                    index=stmt.index,
                    source=stmt.source,
                    sql=text,
                    line=stmt.line,
                    rules_applied=applied,
                    diagnostics=sorted(ctx.diagnostics, key=_diagnostic_order),
                    outputs=outputs,
                )
            )
            catalog.register(tree)
        except ShiftleftError:
            raise
        except Exception as e:  # noqa: BLE001 - one statement's failure must not lose the others
            logger.debug("statement %d failed", stmt.index, exc_info=True)
            results.append(_failed(stmt, e))
    source_statements, script_notes = (
        source_ddl(
            final_trees,
            read=read,
            target=target_,
            schema=schema_,
            event_time=event_time_,
            options=sink_options,
            bounded=mode_ is Mode.BATCH,
        )
        if sources
        else ([], [])
    )
    script_notes = [*inferred, *script_notes]
    separator = ";\n\n" if pretty else ";\n"
    parts = [*source_statements, *(r.sql for r in results)]
    out = separator.join(parts) + (";\n" if parts else "")
    return TranspileResult(
        sql=out,
        statements=results,
        read=read,
        target=target_,
        mode=mode_,
        sources=source_statements,
        script_diagnostics=script_notes,
    )


def commented(source: str, header: str) -> str:
    """A statement's source as SQL comments under ``header`` (kept visible, never run)."""
    return "\n".join([header, *(f"-- {line}" for line in source.splitlines() or [""])])


def unreadable_header(code: str) -> str:
    """The comment line above a statement that could not be read."""
    return f"-- [{code}] not translated: the statement could not be read"


def _failed(stmt: ReadStatement, error: Exception) -> StatementResult:
    """A statement whose translation crashed (a shiftleft bug): reported, commented out."""
    return StatementResult(
        index=stmt.index,
        source=stmt.source,
        sql=commented(stmt.source, "-- [SL9000] not translated: internal error"),
        line=stmt.line,
        diagnostics=[
            Diagnostic(
                rule_id="SL9000",
                severity=Severity.ERROR,
                message=f"internal error while translating this statement ({type(error).__name__}: {str(error)[:200]})",
                statement=stmt.index,
                line=stmt.line,
                suggestion="please report this as a shiftleft bug, with the statement",
            )
        ],
    )


def _unreadable(stmt: ReadStatement) -> StatementResult:
    """A statement the reader refused, in a script whose other statements were read: it is
    reported with its error and kept in the output only as a comment."""
    error = stmt.error
    assert error is not None
    return StatementResult(
        index=stmt.index,
        source=stmt.source,
        sql=commented(stmt.source, unreadable_header(error.code)),
        line=stmt.line,
        diagnostics=[
            Diagnostic(
                rule_id=error.code,
                severity=Severity.ERROR,
                message=error.message,
                statement=stmt.index,
                line=error.line if error.line is not None else stmt.line,
                column=error.column,
                suggestion=error.hint,
                snippet=getattr(error, "token", None),
            )
        ],
    )


def _sink_options(sink: str | SinkOptions | None) -> SinkOptions | None:
    if sink is None or isinstance(sink, SinkOptions):
        return sink
    if isinstance(sink, str) and sink.strip():
        return SinkOptions(name=sink.strip())
    raise ConfigError(f"sink must be a table name or SinkOptions, not {sink!r}")


def _llm_fallback(llm: LLMConfig | bool | None) -> BeforeChecks | None:
    """The LLM stage for this call, or None when it is off (loaded only when used)."""
    if llm is None or llm is False:
        return None
    from shiftleft.llm import LLMConfig
    from shiftleft.llm.fallback import LLMFallback

    if llm is True:
        return LLMFallback(LLMConfig())
    if not isinstance(llm, LLMConfig):
        raise ConfigError(f"llm must be True, False, None or an LLMConfig, not {type(llm).__name__}")
    return LLMFallback(llm) if llm.enabled else None


def _diagnostic_order(d: Diagnostic) -> tuple[int, int, str]:
    return (d.line or 0, d.column or 0, d.rule_id)
