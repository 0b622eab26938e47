"""Translate a large script one statement at a time, in bounded memory.

:func:`shiftleft.transpile` reads the whole script into statements and trees before it
translates any of them: a 10 MB script holds millions of tokens and trees at once.  Here the
script is cut into statements by :func:`shiftleft.parse.split_statements` (the input dialect's
own tokenizer, a window of text at a time: no token list of the whole script ever exists; the
same splitter :func:`transpile` uses on the whole text), and each statement is parsed from the
tokens the splitter made (the script is tokenized once), translated alone
(:func:`~shiftleft.pipeline.transpile_read`) and handed to the caller before the next one is
read.  Memory is that of the largest statement, whatever the script's size.

Results are those of translating each statement on its own, with statement numbers, lines and
columns of the whole script, as one :func:`transpile` call on the whole text gives them (an
unreadable statement is reported with its error and kept only as a comment, as there), except
that ``sources=`` (which needs every statement first) is not offered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from sqlglot.tokens import Token

from shiftleft.errors import ConfigError, InputError
from shiftleft.models import Diagnostic, Severity, StatementResult
from shiftleft.options import TranspileOptions
from shiftleft.parse import WINDOW, Piece, line_col, read_script, split_statements
from shiftleft.pipeline import transpile_read, unreadable_result

logger = logging.getLogger(__name__)


def _relative(read_as: Piece, tokens: list[Token]) -> Piece:
    """``read_as`` as a script of its own: ``tokens`` (of the statement, positioned in the whole
    script; changed in place) at their positions in ``read_as.text``, as tokenizing that text
    would give them (the splitter reads a statement with the semicolon before it, too)."""
    if read_as.offset or read_as.line > 1 or read_as.column > 1:
        for t in tokens:
            t.line -= read_as.line - 1
            if t.line == 1:
                t.col -= read_as.column - 1
            t.start -= read_as.offset
            t.end -= read_as.offset
    return Piece(read_as.text, 0, 1, 1, tokens)


def _shift(d: Diagnostic, index: int, piece: Piece) -> Diagnostic:
    if d.line is None:
        return d.model_copy(update={"statement": index})
    column = d.column
    if d.line == 1 and column is not None:
        column += piece.column - 1
    return d.model_copy(update={"statement": index, "line": d.line + piece.line - 1, "column": column})


def _unreadable(error: InputError, index: int, read_as: Piece, piece: Piece) -> StatementResult:
    """The result for ``piece`` (read as ``read_as``), which raised ``error``."""
    line = (error.line or 1) + read_as.line - 1
    column = error.column
    if column is not None and (error.line or 1) == 1:
        column += read_as.column - 1
    first_line, _ = line_col(piece.text, len(piece.text) - len(piece.text.lstrip()))
    return unreadable_result(
        error, index=index, source=piece.text.strip(), line=first_line + piece.line - 1,
        error_line=line, column=column,
    )


def _results(sql: str, options: TranspileOptions) -> Iterator[tuple[Piece, StatementResult, bool]]:
    """(piece, result, whether the piece was unreadable) for each statement of ``sql``."""
    if options.sources:
        raise ConfigError("sources=True needs the whole script: use shiftleft.transpile")
    read = options.read
    index = 0
    for piece in split_statements(sql, read, window=WINDOW):
        read_as = piece
        if piece.offset:
            # Read the piece with the semicolon before it: a comment on that semicolon's line
            # belongs to it (and is dropped), as when the whole script is read.
            read_as = Piece(";" + piece.text, piece.offset - 1, piece.line, piece.column - 1, [])
        if piece.error is not None:  # the rest of the script cannot be tokenized
            index += 1
            yield piece, _unreadable(piece.error, index, Piece("", 0, 1, 1, []), piece), True
            continue
        try:  # the piece's tokens, read once; its rule set is resolved once
            result = transpile_read(read_script(read_as.text, read, [_relative(read_as, piece.tokens)]), options)
        except InputError as e:
            index += 1
            yield piece, _unreadable(e, index, read_as, piece), True
            continue
        for statement in result.statements:
            index += 1
            shifted = statement.model_copy(
                update={
                    "index": index,
                    "line": statement.line + read_as.line - 1,
                    "diagnostics": [_shift(d, index, read_as) for d in statement.diagnostics],
                }
            )
            yield piece, shifted, False


def transpile_stream(sql: str, options: TranspileOptions | None = None, **kwargs: Any) -> Iterator[StatementResult]:
    """Translate ``sql`` statement by statement (see the module docs); yields one
    :class:`~shiftleft.models.StatementResult` per statement, in order.

    ``options`` / ``kwargs`` are those of :func:`shiftleft.transpile` except ``sources``.
    Raises ConfigError (bad options) before the first statement; never InputError.
    """
    opts = TranspileOptions.of(options, **kwargs)  # checked before reading anything
    for _, statement, _ in _results(sql, opts):
        yield statement


@dataclass
class StreamSummary:
    statements: int = 0
    errors: bool = False  # some statement has an error diagnostic
    unreadable: int = 0  # statements copied unchanged because they could not be read


def write_stream(
    sql: str,
    out: TextIO,
    options: TranspileOptions | None = None,
    *,
    name: str = "<input>",
    diagnostics: TextIO | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    **kwargs: Any,
) -> StreamSummary:
    """Translate ``sql`` with :func:`transpile_stream`, writing each statement's Flink SQL to
    ``out`` as soon as it is translated (the same text as ``transpile(sql).sql``, statement by
    statement) and its diagnostics (``name:line:col: ...``) to ``diagnostics``.
    ``progress(statements, characters done, characters in all)`` is called after each one.
    """
    opts = TranspileOptions.of(options, **kwargs)
    separator = "\n" if opts.pretty else ""
    summary = StreamSummary()
    for piece, statement, unreadable in _results(sql, opts):
        out.write((separator if summary.statements else "") + statement.sql + ";\n")
        summary.statements += 1
        summary.unreadable += unreadable
        for d in statement.diagnostics:
            summary.errors = summary.errors or d.severity is Severity.ERROR
            if diagnostics is not None:
                print(d.format(name), file=diagnostics)
        if progress is not None:
            progress(summary.statements, min(piece.offset + len(piece.text), len(sql) - 1), len(sql))
    if progress is not None:
        progress(summary.statements, len(sql), len(sql))
    return summary


def progress_printer(stream: TextIO, *, every: float = 2.0) -> Callable[[int, int, int], None]:
    """A ``progress`` callback for :func:`write_stream` that prints a line to ``stream`` at most
    every ``every`` seconds and at the end: statements done and the share of the input."""
    last = [time.monotonic()]
    begun = last[0]

    def report(statements: int, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < every and done < total:
            return
        last[0] = now
        share = 100 * done / total if total else 100
        print(
            f"shiftleft: {statements} statements translated, {share:.0f}% of the input ({now - begun:.0f} s)",
            file=stream,
            flush=True,
        )

    return report
