"""Read a SQL script into statements: tokenize, split on semicolons, parse each statement.

Positions stay those of the whole script, so a diagnostic or error anywhere can say which
statement, line and column.  Every failure of the reader becomes an :class:`InputError`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from shiftleft.errors import ConfigError, InputError


@dataclass
class ParsedStatement:
    index: int  # 1-based
    source: str
    line: int
    tree: exp.Expr


def get_dialect(name: str, *, role: str) -> Dialect:
    """The sqlglot dialect called ``name``, or a ConfigError listing what exists."""
    try:
        return Dialect.get_or_raise(name)
    except (ValueError, KeyError) as e:
        raise ConfigError(f"unknown {role} dialect '{name}': {e}") from None


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def unterminated_at(text: str) -> int | None:
    """Offset of the first string, quoted name or block comment that is never closed."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if text[j] == "\\" and c != "`":
                    j += 2
                    continue
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:  # doubled quote = escaped quote
                        j += 2
                        continue
                    break
                j += 1
            if j >= n:
                return i
            i = j + 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return i
            i = end + 2
        else:
            i += 1
    return None


def _tokenize(sql: str, dialect: Dialect, read: str) -> list[Token]:
    tokenizer = dialect.tokenizer()
    try:
        return tokenizer.tokenize(sql)
    except TokenError:
        start = unterminated_at(sql)
        if start is None:
            start = min(getattr(tokenizer, "_start", 0), len(sql))
        line, col = line_col(sql, start)
        raise InputError(
            f"cannot tokenize the input as {read} SQL: the text starting here does not end: "
            f"{sql[start:start + 30]!r}",
            line=line,
            column=col,
            hint="look for an unterminated string, quoted identifier or comment",
        ) from None
    except RecursionError:
        raise InputError("the input is nested too deeply to read") from None


def _window_calls_as_functions(tokens: list[Token]) -> None:
    """Spark's ``window(ts, '10 minutes')`` time-bucket function shares its name with the
    WINDOW clause keyword; the reader mistakes ``GROUP BY window(...)`` for the clause.  A
    WINDOW keyword directly followed by ``(`` can only be the function: read it as a name."""
    for token, following in zip(tokens, tokens[1:]):
        if token.token_type == TokenType.WINDOW and following.token_type == TokenType.L_PAREN:
            token.token_type = TokenType.VAR


def _chunks(tokens: list[Token]) -> list[list[Token]]:
    chunks: list[list[Token]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if chunks[-1]:
                chunks.append([])
        else:
            chunks[-1].append(token)
    return [c for c in chunks if c]


_SQLGLOT_CLASS = re.compile(r"<class 'sqlglot\.expressions\.[\w.]*?(\w+)'>")
_MISSING = re.compile(r"Required keyword: '(\w+)' missing for (\w+)")


def _describe(description: str) -> str:
    """sqlglot's parse error text without its internal class names."""
    text = _SQLGLOT_CLASS.sub(lambda m: m.group(1), description)
    return _MISSING.sub(lambda m: f"incomplete {m.group(2).upper()} construct (its '{m.group(1)}' part is missing)", text)


def _token_start(token: Token) -> tuple[int, int]:
    return token.line, max(1, token.col - (token.end - token.start))


class _DropCommandFallbackWarning(logging.Filter):
    """sqlglot logs a warning when it keeps a statement as raw text; we report it as SL9003."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


@contextmanager
def _quiet_fallback_warnings() -> Iterator[None]:
    sqlglot_logger = logging.getLogger("sqlglot")
    quiet = _DropCommandFallbackWarning()
    sqlglot_logger.addFilter(quiet)
    try:
        yield
    finally:
        sqlglot_logger.removeFilter(quiet)


def parse_script(sql: str, read: str) -> list[ParsedStatement]:
    """Split and parse ``sql``; raises InputError with statement, line and column."""
    if not isinstance(sql, str):
        raise InputError(f"expected SQL text (str), got {type(sql).__name__}")
    dialect = get_dialect(read, role="read")
    tokens = _tokenize(sql, dialect, read)
    _window_calls_as_functions(tokens)
    parser = dialect.parser(error_level=ErrorLevel.RAISE)
    statements: list[ParsedStatement] = []
    for index, chunk in enumerate(_chunks(tokens), start=1):
        first, last = chunk[0], chunk[-1]
        line, _ = _token_start(first)
        try:
            with _quiet_fallback_warnings():
                trees = parser.parse(chunk, sql)
        except ParseError as e:
            info = e.errors[0] if e.errors else {}
            err_line, err_col = info.get("line"), info.get("col")
            highlight = info.get("highlight") or ""
            if err_col is not None and highlight:
                err_col = max(1, err_col - len(highlight) + 1)
            raise InputError(
                f"cannot parse the statement as {read} SQL: {_describe(str(info.get('description', e)))}"
                + (f" near {highlight!r}" if highlight else ""),
                statement=index,
                line=err_line,
                column=err_col,
                hint=f"check the syntax there; if the statement is valid {read} SQL, pass the "
                "right dialect with read=... (--read)",
            ) from None
        except RecursionError:
            raise InputError("the statement is nested too deeply to read", statement=index, line=line) from None
        except Exception as e:  # noqa: BLE001 - a crash of the reader is still bad input to the user
            raise InputError(
                f"the {read} SQL reader failed on this statement ({type(e).__name__}: {e})",
                statement=index,
                line=line,
                hint="please report this to shiftleft with the statement",
            ) from None
        tree = next((t for t in trees if t is not None), None)
        if tree is None:
            continue
        statements.append(
            ParsedStatement(index=index, source=sql[first.start : last.end + 1], line=line, tree=tree)
        )
    return statements
