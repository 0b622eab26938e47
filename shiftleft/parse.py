"""Read a SQL script into statements: tokenize, split on semicolons, parse each statement.

Positions stay those of the whole script, so a diagnostic or error anywhere can say which
statement, line and column.  Every failure of the reader becomes an :class:`InputError`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType

from shiftleft import sqlglot_objects
from shiftleft.dropped_args import DroppedArguments, watching_parser
from shiftleft.errors import ConfigError, InputError, LimitError
from shiftleft.limits import MAX_ARRAY_NESTING, MAX_NESTING

#: error codes of the reader (documented in shiftleft.codes)
TOKENIZE_ID = "SL0002"
NOT_A_STATEMENT_ID = "SL0004"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\x80-\x9f]")


@dataclass
class ParsedStatement:
    index: int  # 1-based
    source: str
    line: int
    tree: exp.Expr


def get_dialect(name: str, *, role: str) -> Dialect:
    """The sqlglot dialect called ``name``, or a ConfigError listing what exists."""
    try:
        return sqlglot_objects.dialect(name)
    except (ValueError, KeyError) as e:
        raise ConfigError(f"unknown {role} dialect '{name}': {e}") from None


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


#: characters of script tokenized at a time by :func:`split_statements` (doubled for a longer
#: statement); None: the whole script at once
WINDOW = 1 << 16


@dataclass
class Piece:
    """One statement's text as :func:`split_statements` cuts it: ``text`` starts at character
    ``offset`` of the script, which is at ``line`` / ``column`` (1-based); ``tokens`` are its
    tokens with the positions of the whole script.  ``error``: the text could not be tokenized
    (an unterminated string, quoted name or comment at the error's line and column): such a
    piece is the last one, and runs to the end of the script."""

    text: str
    offset: int
    line: int
    column: int
    tokens: list[Token]
    error: InputError | None = None


def _core(tokenizer: object) -> object:
    return getattr(tokenizer, "_core", tokenizer)  # sqlglot >= 28 keeps its state in _core


def _tokens_until_error(tokenizer: object, text: str) -> tuple[list[Token], int | None]:
    """The tokens of ``text`` and None; or, when tokenizing stops (an unterminated string or
    comment, a malformed literal), the tokens before the failing one and its offset."""
    try:
        return list(tokenizer.tokenize(text)), None  # type: ignore[attr-defined]
    except TokenError:
        tokens = list(tokenizer.tokens)  # type: ignore[attr-defined]
        start = getattr(_core(tokenizer), "_start", None)
        if not isinstance(start, int) or not 0 <= start < len(text):
            start = tokens[-1].end + 1 if tokens else 0
        return [t for t in tokens if t.end < start], start


def _rebase(tokens: list[Token], offset: int, line: int, column: int) -> None:
    """Shift tokens of a text that starts at ``offset`` / ``line`` / ``column`` of the script
    to the script's positions."""
    if not offset:
        return
    for t in tokens:
        if t.line == 1:
            t.col += column - 1
        t.line += line - 1
        t.start += offset
        t.end += offset


def _unterminated(sql: str, start: int, read: str) -> InputError:
    line, col = line_col(sql, start)
    return InputError(
        f"cannot tokenize the input as {read} SQL: the text starting here does not end: "
        f"{sql[start:start + 30]!r}; the rest of the script is not read",
        line=line,
        column=col,
        code=TOKENIZE_ID,
        hint="look for an unterminated string, quoted identifier or comment",
    )


#: the only spelling of each token type the reader looks for, in the generic tokenizer
_SPELLINGS = {
    TokenType.L_PAREN: "(", TokenType.L_BRACKET: "[", TokenType.SEMICOLON: ";",
    TokenType.CASE: "CASE", TokenType.WINDOW: "WINDOW",
}  # fmt: skip
_CASE_WORD = re.compile("case", re.IGNORECASE)
_WINDOW_WORD = re.compile("window", re.IGNORECASE)


@cache
def _plain_spellings(tokenizer_class: type) -> bool:
    """Whether ``tokenizer_class`` makes each token type of :data:`_SPELLINGS` from its one
    spelling only: then a search of a statement's text (C speed) tells that none of its tokens
    needs a look (no semicolon, no WINDOW keyword, nesting within the limits), and the Python
    loops over its tokens are skipped."""
    table = [*getattr(tokenizer_class, "SINGLE_TOKENS", {}).items(), *getattr(tokenizer_class, "KEYWORDS", {}).items()]
    return all(text.upper() == _SPELLINGS[kind] for text, kind in table if kind in _SPELLINGS)


def split_statements(sql: str, read: str, *, window: int | None = WINDOW) -> Iterator[Piece]:
    """Cut ``sql`` after each semicolon token of the ``read`` dialect's own tokenizer, lazily:
    shiftleft's one statement splitter.

    The script is tokenized ``window`` characters at a time from the semicolon before a
    statement (so no token list of the whole script need exist, and a comment on that
    semicolon's line goes to it, as when the whole script is tokenized); a window that cuts a
    statement is read again from that statement.  Each piece runs from just after a semicolon
    (or the script start) up to and without the next one; pieces of nothing but blanks are
    skipped.  Where the tokenizer stops for good (an unterminated string, quoted name or
    comment), the statements before still come out and the last piece, from that statement
    on, carries the error.
    """
    dialect = get_dialect(read, role="read")
    tokenizer = dialect.tokenizer()
    plain = _plain_spellings(dialect.tokenizer_class)
    start, line, column, n = 0, 1, 1, len(sql)
    size = window or n + 1
    while start < n:
        end = min(n, start + size)
        text = sql[start:end]
        lead = 1 if start else 0  # the semicolon before the statement is read with it
        try:
            tokens, failed = _tokens_until_error(tokenizer, sql[start - lead : end])
        except RecursionError:
            raise LimitError("the input is nested too deeply to read") from None
        if lead and tokens and tokens[0].token_type == TokenType.SEMICOLON:
            tokens = tokens[1:]
        semicolon = TokenType.SEMICOLON
        cuts = [i for i, t in enumerate(tokens) if t.token_type is semicolon] if not plain or ";" in text else []
        if end < n and not cuts:
            size *= 2  # a statement longer than the window
            continue
        if end == n:
            cuts.append(len(tokens))  # what follows the last semicolon (maybe nothing)
        # else: the text after the last semicolon is read again with the next window
        _rebase(tokens, start - lead, line, column - lead)
        previous, first = 0, 0  # character and token where the piece starts
        for k, cut in enumerate(cuts):
            at = tokens[cut].start - start if cut < len(tokens) else len(text)
            error = None
            if end == n and k == len(cuts) - 1 and failed is not None:
                at, error = len(text), _unterminated(sql, start - lead + failed, read)
            piece = text[previous:at]
            if piece.strip():
                yield Piece(piece, start + previous, line, column, tokens[first:cut], error)
            line, column = _advance(text, previous, at + 1, line, column)
            previous, first = at + 1, cut + 1
        start += previous
        size = window or n + 1


def _advance(text: str, begin: int, end: int, line: int, column: int) -> tuple[int, int]:
    """(line, column) at ``text[end]`` given those at ``text[begin]``."""
    newlines = text.count("\n", begin, end)
    if not newlines:
        return line, column + (min(end, len(text)) - begin)
    return line + newlines, min(end, len(text)) - text.rfind("\n", begin, end)


def _window_calls_as_functions(tokens: list[Token], text: str, plain: bool) -> None:
    """Spark's ``window(ts, '10 minutes')`` time-bucket function shares its name with the
    WINDOW clause keyword; the reader mistakes ``GROUP BY window(...)`` for the clause.  A
    WINDOW keyword directly followed by ``(`` can only be the function: read it as a name.
    ``text``: the tokens' source; ``plain``: see :func:`_plain_spellings` (then a text without
    the word has no WINDOW token)."""
    if plain and not _WINDOW_WORD.search(text):
        return
    for token, following in zip(tokens, tokens[1:]):
        if token.token_type == TokenType.WINDOW and following.token_type == TokenType.L_PAREN:
            token.token_type = TokenType.VAR


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


#: root node types that are statements (anything else the reader produced is an expression:
#: ``hello world`` reads as ``hello AS world``)
_STATEMENTS: tuple[type[exp.Expr], ...] = (exp.Query, exp.DDL, exp.DML, exp.Command, exp.Values) + tuple(
    getattr(exp, name)
    for name in (
        "Alter", "Analyze", "Cache", "Comment", "Commit", "Describe", "Drop", "Grant", "LoadData",
        "Pragma", "Refresh", "Revoke", "Rollback", "Set", "Transaction", "TruncateTable", "Uncache",
        "Use", "Kill", "Copy", "Export",
    )
    if hasattr(exp, name)
)


@dataclass
class ReadStatement:
    """One statement of a script: its tree, or the error that stopped the reader on it."""

    index: int  # 1-based
    source: str
    line: int
    tree: exp.Expr | None
    error: InputError | None = None
    #: function calls whose parsed node lost arguments written in the source (SL9005)
    dropped: tuple[DroppedArguments, ...] = ()


_OPENING = frozenset({TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.CASE})
_CLOSING = frozenset({TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.END})


def _depths(chunk: list[Token]) -> tuple[int, Token | None, int, Token | None]:
    """In one pass over ``chunk``: the deepest nesting of parentheses / brackets / CASE ... END
    and where it is reached, and the same for ``ARRAY[`` brackets."""
    depth = deepest = 0
    at: Token | None = None
    arrays: list[bool] = []  # one entry per open bracket: is it an ARRAY[ ?
    array_depth = array_deepest = 0
    array_at: Token | None = None
    previous: Token | None = None
    opening, closing, l_bracket, r_bracket = _OPENING, _CLOSING, TokenType.L_BRACKET, TokenType.R_BRACKET
    for token in chunk:
        kind = token.token_type
        if kind in opening:
            depth += 1
            if depth > deepest:
                deepest, at = depth, token
            if kind is l_bracket:
                is_array = previous is not None and previous.text.upper() == "ARRAY"
                arrays.append(is_array)
                if is_array:
                    array_depth += 1
                    if array_depth > array_deepest:
                        array_deepest, array_at = array_depth, token
        elif kind in closing:
            depth = max(0, depth - 1)
            if kind is r_bracket and arrays:
                array_depth -= arrays.pop()
        previous = token
    return deepest, at, array_deepest, array_at


def _within_limits(text: str) -> bool:
    """Whether ``text``'s tokens cannot nest beyond the limits (for a tokenizer with plain
    spellings): every opening token is one of its ``(``, ``[`` or ``case``, so their count
    bounds the depth."""
    brackets = text.count("[")
    if brackets > MAX_ARRAY_NESTING:
        return False
    openings = text.count("(") + brackets
    return openings <= MAX_NESTING and openings + len(_CASE_WORD.findall(text)) <= MAX_NESTING


def _check_tokens(chunk: list[Token], index: int, text: str, plain: bool = False) -> None:
    """Refuse what no SQL reader should see: control bytes in names, nesting beyond the limit.
    ``text``: the chunk's source (one search finds whether any token needs a closer look);
    ``plain``: see :func:`_plain_spellings` (then counts in the text can clear the nesting)."""
    if _CONTROL.search(text):
        for token in chunk:
            control = _CONTROL.search(token.text) if token.token_type != TokenType.STRING else None
            if control is not None:
                line, col = _token_start(token)
                raise InputError(
                    f"control character {control.group()!r} in {token.text!r}: "
                    "this is not SQL text",
                    statement=index, line=line, column=col, code=TOKENIZE_ID, token=token.text,
                    hint="check the file's encoding and remove binary content",
                )
    if plain and _within_limits(text):
        return
    deepest, at, arrays, where = _depths(chunk)
    if arrays > MAX_ARRAY_NESTING and where is not None:
        line, col = _token_start(where)
        raise LimitError(
            f"ARRAY[...] literals are nested {arrays} deep; shiftleft reads at most {MAX_ARRAY_NESTING} "
            "(sqlglot's reader takes exponential time on them)",
            statement=index, line=line, column=col,
            hint="build the nested array in steps (CTEs)",
        )
    if deepest > MAX_NESTING and at is not None:
        line, col = _token_start(at)
        raise LimitError(
            f"the statement is nested {deepest} levels deep; shiftleft reads at most {MAX_NESTING}",
            statement=index, line=line, column=col,
            hint="split the expression (e.g. into CTEs or views)",
        )


def _parse_error(e: ParseError, index: int, read: str) -> InputError:
    info = e.errors[0] if e.errors else {}
    err_line, err_col = info.get("line"), info.get("col")
    highlight = info.get("highlight") or ""
    if err_col is not None and highlight:
        err_col = max(1, err_col - len(highlight) + 1)
    return InputError(
        f"cannot parse the statement as {read} SQL: {_describe(str(info.get('description', e)))}"
        + (f" near {highlight!r}" if highlight else ""),
        statement=index,
        line=err_line,
        column=err_col,
        token=highlight or None,
        hint=f"check the syntax there; if the statement is valid {read} SQL, pass the "
        "right dialect with read=... (--read)",
    )


def _check_tree(tree: exp.Expr, index: int, line: int, col: int) -> None:
    """Refuse a parse that is not a statement (``hello world``) or an empty ``SELECT``."""
    if not isinstance(tree, _STATEMENTS):
        raise InputError(
            f"this is not a SQL statement (it reads only as an expression: {type(tree).__name__})",
            statement=index, line=line, column=col, code=NOT_A_STATEMENT_ID,
            hint="check for a missing SELECT or a stray word",
        )
    if isinstance(tree, exp.Select) and not tree.expressions:
        raise InputError(
            "SELECT with nothing to select", statement=index, line=line, column=col,
            code=NOT_A_STATEMENT_ID, hint="name the columns or expressions to select",
        )


def _read_chunk(parser: Parser, chunk: list[Token], sql: str, index: int, read: str) -> exp.Expr | None:
    """The tree of one statement's tokens (the caller quiets sqlglot's fallback warnings)."""
    line, col = _token_start(chunk[0])
    try:
        trees = parser.parse(chunk, sql)
    except ParseError as e:
        raise _parse_error(e, index, read) from None
    except RecursionError:
        raise LimitError("the statement is nested too deeply to read", statement=index, line=line) from None
    except Exception as e:  # noqa: BLE001 - a crash of the reader is still bad input to the user
        raise InputError(
            f"the {read} SQL reader failed on this statement ({type(e).__name__}: {str(e)[:200]})",
            statement=index,
            line=line,
            hint="please report this to shiftleft with the statement",
        ) from None
    tree = next((t for t in trees if t is not None), None)
    if tree is not None:
        _check_tree(tree, index, line, col)
    return tree


def read_script(
    sql: str, read: str, pieces: Iterable[Piece] | None = None, *, watch: bool = True
) -> list[ReadStatement]:
    """Split (:func:`split_statements`, the whole script at once) and parse ``sql`` statement by
    statement.  ``pieces``: ``sql`` split already (tokens with positions in ``sql``).
    ``watch``: record in each statement's ``dropped`` the calls whose node lost arguments
    written in the source (:func:`~shiftleft.dropped_args.watching_parser`); without it the
    dialect's own reader builds the same trees, with nothing recorded.

    A statement that cannot be read carries its :class:`InputError` and no tree; the others
    are parsed all the same.  Text that cannot be tokenized (an unterminated string or
    comment) is one such statement, from its statement's start to the end of the script.
    """
    if not isinstance(sql, str):
        raise InputError(f"expected SQL text (str), got {type(sql).__name__}")
    dialect = get_dialect(read, role="read")
    reader = watching_parser(dialect.parser_class) if watch else dialect.parser_class
    parser = reader(error_level=ErrorLevel.RAISE, dialect=dialect)
    plain = _plain_spellings(dialect.tokenizer_class)
    statements: list[ReadStatement] = []
    index = 0
    with _quiet_fallback_warnings():
        for piece in split_statements(sql, read, window=None) if pieces is None else pieces:
            if piece.error is None and not piece.tokens:
                continue  # blanks and comments
            index += 1
            statement = _read_piece(parser, piece, sql, index, read, plain)
            if statement is not None:
                statements.append(statement)
    return statements


def _read_piece(parser: Parser, piece: Piece, sql: str, index: int, read: str, plain: bool) -> ReadStatement | None:
    """The ``index``-th statement of ``sql``, read from its piece (which has tokens or an
    error); None when its tokens make no statement."""
    if piece.error is not None:
        source = piece.text.strip()
        line = piece.line + piece.text[: len(piece.text) - len(piece.text.lstrip())].count("\n")
        piece.error.statement = index
        return ReadStatement(index=index, source=source, line=line, tree=None, error=piece.error)
    chunk = piece.tokens
    first, last = chunk[0], chunk[-1]
    line, _ = _token_start(first)
    source = sql[first.start : last.end + 1]
    _window_calls_as_functions(chunk, source, plain)
    try:
        _check_tokens(chunk, index, source, plain)
        tree = _read_chunk(parser, chunk, sql, index, read)
    except InputError as e:
        return ReadStatement(index=index, source=source, line=line, tree=None, error=e)
    if tree is None:
        return None
    dropped = tuple(getattr(parser, "dropped", ()))
    return ReadStatement(index=index, source=source, line=line, tree=tree, dropped=dropped)


def parse_script(sql: str, read: str) -> list[ParsedStatement]:
    """Split and parse ``sql``; raises InputError (with statement, line and column) on the
    first statement that cannot be read."""
    statements: list[ParsedStatement] = []
    for stmt in read_script(sql, read, watch=False):  # its statements carry no dropped calls
        if stmt.error is not None:
            raise stmt.error
        assert stmt.tree is not None
        statements.append(ParsedStatement(index=stmt.index, source=stmt.source, line=stmt.line, tree=stmt.tree))
    return statements
