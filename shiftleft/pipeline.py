"""``shiftleft.transpile``: the pipeline parse → rewrite → generate for one SQL script."""

from __future__ import annotations

import logging

from sqlglot import exp
from typing_extensions import Unpack

from shiftleft.dialects.user_functions import apply_functions
from shiftleft.dropped_args import dropped_diagnostic
from shiftleft.errors import InputError, ShiftleftError
from shiftleft.generate import generate
from shiftleft.limits import deep_stack
from shiftleft.llm.config import LLMConfig
from shiftleft.models import (
    Diagnostic,
    Mode,
    OutputKind,
    OutputStatement,
    Severity,
    StatementResult,
    TranspileResult,
)
from shiftleft.options import TranspileKwargs, TranspileOptions
from shiftleft.parse import ReadStatement, read_script
from shiftleft.precedence import parenthesize
from shiftleft.rewrite.constants import constant_view, constant_view_types
from shiftleft.rewrite.context import RuleContext
from shiftleft.rewrite.engine import BeforeChecks, rewrite
from shiftleft.streaming.catalog import ScriptCatalog, describe, inferred_event_time, output_kind
from shiftleft.streaming.sink import sink_statements
from shiftleft.streaming.sources import source_ddl, unnested_types

logger = logging.getLogger(__name__)

GENERATOR_RULE_ID = "SL9002"


@deep_stack
def transpile(sql: str, options: TranspileOptions | None = None, **kwargs: Unpack[TranspileKwargs]) -> TranspileResult:
    """Translate a SQL script (one or more statements) into Flink SQL.

    Options are given as keywords (below), or as a ready
    :class:`~shiftleft.options.TranspileOptions` (``transpile(sql, options)``); keywords given
    with it override its fields.

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
    opts = TranspileOptions.of(options, **kwargs)
    return _translate(read_script(sql, opts.read), opts)


@deep_stack
def transpile_model(sql: str, **kwargs: Unpack[TranspileKwargs]) -> TranspileResult:
    """:func:`transpile` for the migration of a dbt model, whose output statements carry no
    changelog (``changelog``, ``keys``... left empty): the migration derives its query's
    changelog itself (with the model's key), so the query is derived once, not twice."""
    opts = TranspileOptions.of(None, **kwargs)
    return _translate(read_script(sql, opts.read), opts, changelogs=False)


@deep_stack
def transpile_read(read_statements: list[ReadStatement], options: TranspileOptions) -> TranspileResult:
    """:func:`transpile` of a script read already (:func:`~shiftleft.parse.read_script`)."""
    return _translate(read_statements, options)


def _translate(
    read_statements: list[ReadStatement], opts: TranspileOptions, *, changelogs: bool = True
) -> TranspileResult:
    fallback = _llm_fallback(opts.llm)
    results: list[StatementResult] = []
    final_trees: list[exp.Expr] = []
    unread = [s.error for s in read_statements if s.error is not None]
    if unread and len(unread) == len(read_statements):
        raise unread[0]  # nothing could be read: the script is bad input as a whole
    inferred: list[Diagnostic] = []
    if opts.sources and opts.mode is Mode.STREAMING:  # shiftleft writes the watermark: infer the event time
        trees = [s.tree for s in read_statements if s.tree is not None]
        event_time, inferred = inferred_event_time(trees, opts.schema_, opts.event_time, opts.read)
        opts = opts.model_copy(update={"event_time": event_time})
    # the arrays the script unnests from undeclared sources: their element types, for the rules
    inferred_types = unnested_types([s.tree for s in read_statements if s.tree is not None], opts.schema_) if opts.sources else {}
    catalog = ScriptCatalog(opts.event_time, opts.schema_, opts.streaming.relations)
    statement_opts = opts  # with the columns of the tables the script has created so far
    constants: dict[str, tuple[str, ...]] = {}  # the script's views that read no table
    created: dict[str, str] = {}  # the script's tables and views: lower case -> as written
    temporary: set[str] = set()  # the script's temporary views (lower case)
    for stmt in read_statements:
        if stmt.error is not None:
            results.append(_unreadable(stmt))
            continue
        declared = _declared_columns(stmt.tree, opts.read) or constant_view_types(
            stmt.tree, opts.read, constants, statement_opts.schema_
        )
        try:
            results.append(
                _statement(
                    stmt, statement_opts, catalog, fallback, final_trees, (constants, created, temporary), changelogs, inferred_types
                )
            )
        except ShiftleftError:
            raise
        except Exception as e:  # one statement's failure must not lose the others
            logger.debug("statement %d failed", stmt.index, exc_info=True)
            results.append(_failed(stmt, e))
        _track_constant(stmt.tree, constants, created, temporary)
        statement_opts = _with_declared(statement_opts, opts, stmt.tree, declared)
    source_statements, script_notes = (
        source_ddl(
            final_trees,
            read=opts.read,
            target=opts.target,
            schema=opts.schema_,
            event_time=opts.event_time,
            options=opts.sink,
            bounded=opts.mode is Mode.BATCH,
            unnested=inferred_types,
        )
        if opts.sources
        else ([], [])
    )
    script_notes = [*inferred, *script_notes]
    separator = ";\n\n" if opts.pretty else ";\n"
    parts = [*source_statements, *(r.sql for r in results)]
    out = separator.join(parts) + (";\n" if parts else "")
    return TranspileResult(
        sql=out,
        statements=results,
        read=opts.read,
        target=opts.target,
        mode=opts.mode,
        sources=source_statements,
        script_diagnostics=script_notes,
    )


def _with_declared(
    current: TranspileOptions, user: TranspileOptions, tree: exp.Expr | None, declared: tuple[str, dict[str, str]] | None
) -> TranspileOptions:
    """``current`` knowing the columns of the relation ``tree`` creates (``declared``), or
    forgetting those of a relation the script made before under that name (the user's schema
    wins: never replaced)."""
    made = _created_name(tree)
    if made is None or made.lower() in {t.lower() for t in user.schema_}:
        return current
    schema = {t: c for t, c in current.schema_.items() if t.lower() != made.lower()}
    if declared is not None:
        schema[declared[0]] = declared[1]
    return current if schema == current.schema_ else current.model_copy(update={"schema_": schema})


def _created_name(tree: exp.Expr | None) -> str | None:
    if not isinstance(tree, exp.Create):
        return None
    made = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    return made.name if isinstance(made, exp.Table) and made.name else None


def _declared_columns(tree: exp.Expr | None, read: str) -> tuple[str, dict[str, str]] | None:
    """(table, its column types) of a ``CREATE TABLE t (col TYPE, ...)``: the later statements
    of the script know them as if given in ``schema=`` (the user's schema wins)."""
    if not isinstance(tree, exp.Create) or tree.kind != "TABLE" or tree.expression is not None:
        return None
    schema = tree.this
    if not isinstance(schema, exp.Schema) or not isinstance(schema.this, exp.Table):
        return None
    columns = {c.name: c.args["kind"].sql(read) for c in schema.expressions if isinstance(c, exp.ColumnDef) and c.args.get("kind")}
    return (schema.this.name, columns) if columns else None


def _track_constant(
    tree: exp.Expr | None, constants: dict[str, tuple[str, ...]], created: dict[str, str], temporary: set[str]
) -> None:
    """Note the relation a ``CREATE`` makes (as written), whether it is a temporary view, and
    whether it is a view that reads no table (or forget a constant view of that name
    redefined); a ``DROP`` of a temporary view forgets it."""
    if isinstance(tree, exp.Drop) and (tree.kind or "").upper() == "VIEW":
        temporary.difference_update(t.name.lower() for t in tree.find_all(exp.Table))
    if not isinstance(tree, exp.Create):
        return
    made = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if isinstance(made, exp.Table) and not made.args.get("db"):
        created[made.name.lower()] = made.name
        if (tree.kind or "").upper() == "VIEW" and tree.find(exp.TemporaryProperty):
            temporary.add(made.name.lower())
    found = constant_view(tree, constants)
    if found is not None:
        constants[found[0]] = found[1]
    elif isinstance(made, exp.Table):
        constants.pop(made.name.lower(), None)


def _statement(
    stmt: ReadStatement,
    opts: TranspileOptions,
    catalog: ScriptCatalog,
    fallback: BeforeChecks | None,
    final_trees: list[exp.Expr],
    script: tuple[dict[str, tuple[str, ...]], dict[str, str], set[str]] | None = None,
    changelogs: bool = True,
    inferred: dict[str, dict[str, str]] | None = None,
) -> StatementResult:
    """One read statement through rewrite → sink → generate (its final tree appended to
    ``final_trees`` and registered in ``catalog`` for the statements after it);
    ``changelogs``: derive what its output emits (else the output carries its kind and text
    only)."""
    assert stmt.tree is not None
    ctx = RuleContext(
        target=opts.target,
        mode=opts.mode,
        read=opts.read,
        statement=stmt.index,
        schema=opts.schema_,
        event_time=opts.event_time,
        streaming=opts.streaming,
        constant_relations=dict(script[0]) if script else {},
        script_relations=dict(script[1]) if script else {},
        temporary_views=frozenset(script[2]) if script else frozenset(),
        inferred=inferred or {},
    )
    ctx.diagnostics.extend(dropped_diagnostic(call, stmt.index, opts.read) for call in stmt.dropped)
    tree = apply_functions(stmt.tree, opts.user_functions())
    tree, applied = rewrite(tree, opts.ruleset(), ctx, before_checks=fallback)
    parenthesize(tree)  # operands rules built without parentheses
    ddl = None
    replaced = sink_statements(tree, ctx, opts.sink, catalog)
    if replaced is not None:
        ddl, tree = replaced
    final_trees.append(tree)
    outputs = []
    try:
        text, unsupported = generate(tree, opts.target, pretty=opts.pretty)
        outputs.append(describe(tree, text, catalog) if changelogs else OutputStatement(kind=output_kind(tree), sql=text))
        for before in reversed(ctx.preamble):  # statements a rule needs run first
            first = generate(before, opts.target, pretty=opts.pretty)[0]
            outputs.insert(0, describe(before, first, catalog, OutputKind.OTHER))
            text = f"{first};\n{text}"
        if ddl is not None:
            outputs.insert(0, describe(tree, ddl, catalog, OutputKind.SINK_DDL))
            text = f"{ddl};\n{text}"
    except Exception as e:  # keep the user's statement rather than crash
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
            Diagnostic.of(
                GENERATOR_RULE_ID,
                f"not expressible in Flink SQL: {message}",
                statement=stmt.index,
                line=stmt.line,
            )
        )
    catalog.register(tree)
    return StatementResult(
        index=stmt.index,
        source=stmt.source,
        sql=text,
        line=stmt.line,
        rules_applied=applied,
        diagnostics=sorted(ctx.diagnostics, key=_diagnostic_order),
        outputs=outputs,
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
            Diagnostic.of(
                "SL9000",
                f"internal error while translating this statement ({type(error).__name__}: {str(error)[:200]})",
                statement=stmt.index,
                line=stmt.line,
                suggestion="please report this as a shiftleft bug, with the statement",
            )
        ],
    )


def _unreadable(stmt: ReadStatement) -> StatementResult:
    error = stmt.error
    assert error is not None
    return unreadable_result(
        error, index=stmt.index, source=stmt.source, line=stmt.line,
        error_line=error.line if error.line is not None else stmt.line, column=error.column,
    )


def unreadable_result(
    error: InputError, *, index: int, source: str, line: int, error_line: int, column: int | None
) -> StatementResult:
    """A statement the reader refused (``error`` at ``error_line``/``column``), in a script whose
    other statements were read: reported with its error, kept in the output only as a comment."""
    return StatementResult(
        index=index,
        source=source,
        sql=commented(source, unreadable_header(error.code)),
        line=line,
        diagnostics=[
            Diagnostic.of(
                error.code,
                error.message,
                severity=Severity.ERROR,
                statement=index,
                line=error_line,
                column=column,
                suggestion=error.hint,
                snippet=getattr(error, "token", None),
            )
        ],
    )


def _llm_fallback(llm: LLMConfig | None) -> BeforeChecks | None:
    """The LLM stage for this call, or None when it is off."""
    if llm is None:
        return None
    # function-level: the fallback (prompts, HTTP client) is loaded only by runs that use it
    from shiftleft.llm.fallback import LLMFallback

    return LLMFallback(llm)


def _diagnostic_order(d: Diagnostic) -> tuple[int, int, str]:
    return (d.line or 0, d.column or 0, d.rule_id)
