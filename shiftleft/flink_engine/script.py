"""Cut a Flink SQL script into statements the way the Flink SQL client does (strings, quoted
identifiers, comments, ``EXECUTE STATEMENT SET BEGIN ... END`` and the SQL-client
``BEGIN STATEMENT SET; ... END;``), keeping where each starts: :func:`split_statements`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shiftleft.flink_engine.report import StatementKind


@dataclass(frozen=True)
class SqlSegment:
    """A piece of the script handed to Flink, with where it starts in the script."""

    sql: str
    line: int
    column: int
    offset: int


@dataclass(frozen=True)
class ScriptStatement:
    """One statement of a script, as found by :func:`split_statements`.

    ``parts`` are the pieces given to Flink: the statement itself, the ``INSERT`` of an
    ``EXECUTE INSERT``, or the ``INSERT``\\ s of a statement set.
    """

    index: int
    sql: str
    kind: StatementKind
    line: int
    column: int
    offset: int
    keywords: tuple[str, ...]
    parts: tuple[SqlSegment, ...]
    is_ctas: bool = False


@dataclass(frozen=True)
class _Token:
    kind: str  # word, string, qident, number, punct, comment, ws
    text: str
    offset: int
    line: int
    column: int

    @property
    def significant(self) -> bool:
        return self.kind not in ("ws", "comment")

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _tokenize(script: str) -> list[_Token]:
    """Lex Flink SQL just enough to split statements: strings, quoted names, comments."""
    tokens: list[_Token] = []
    n = len(script)
    i = 0
    line, col = 1, 1

    def advance(start: int, end: int) -> None:
        nonlocal line, col
        j = start
        while j < end:
            ch = script[j]
            if ch == "\r":
                line, col = line + 1, 1
                if j + 1 < end and script[j + 1] == "\n":
                    j += 1
            elif ch == "\n":
                line, col = line + 1, 1
            else:
                col += 1
            j += 1

    while i < n:
        ch = script[i]
        start = i
        if ch.isspace():
            while i < n and script[i].isspace():
                i += 1
            kind = "ws"
        elif ch == "-" and script.startswith("--", i):
            while i < n and script[i] not in "\r\n":
                i += 1
            kind = "comment"
        elif ch == "/" and script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = n if end < 0 else end + 2
            kind = "comment"
        elif ch in "'`\"":
            quote = ch
            i += 1
            while i < n:
                if script[i] == quote:
                    if i + 1 < n and script[i + 1] == quote:  # doubled quote escapes itself
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            kind = "string" if quote == "'" else "qident"
        elif ch.isalpha() or ch == "_":
            while i < n and (script[i].isalnum() or script[i] in "_$"):
                i += 1
            kind = "word"
        elif ch.isdigit():
            while i < n and (script[i].isalnum() or script[i] == "."):
                i += 1
            kind = "number"
        else:
            i += 1
            kind = "punct"
        tokens.append(_Token(kind, script[start:i], start, line, col))
        advance(start, i)
    return tokens


_DDL_WORDS = frozenset({"CREATE", "DROP", "ALTER", "USE", "SET", "RESET", "REPLACE"})
_QUERY_WORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
_EXPLAIN_DETAILS = frozenset(
    {
        "PLAN",
        "FOR",
        "ESTIMATED_COST",
        "CHANGELOG_MODE",
        "JSON_EXECUTION_PLAN",
        "PLAN_ADVICE",
        "EXECUTE",
    }
)


def _words(tokens: Sequence[_Token], limit: int = 8) -> tuple[str, ...]:
    """The first significant tokens, upper-cased words (punctuation kept as is)."""
    out: list[str] = []
    for tok in tokens:
        if tok.significant:
            out.append(tok.upper or tok.text)
            if len(out) >= limit:
                break
    return tuple(out)


def _opens_statement_set_block(sig: Sequence[_Token]) -> bool:
    """``EXECUTE STATEMENT SET BEGIN`` / ``EXPLAIN [details] STATEMENT SET BEGIN`` so far?"""
    if len(sig) < 4 or sig[0].upper not in ("EXECUTE", "EXPLAIN"):
        return False
    if [t.upper for t in sig[-3:]] != ["STATEMENT", "SET", "BEGIN"]:
        return False
    middle = sig[1:-3]
    return all(t.upper in _EXPLAIN_DETAILS or t.text == "," for t in middle)


def _is_ctas(sig: Sequence[_Token]) -> bool:
    """``CREATE [OR REPLACE] [TEMPORARY] TABLE ... AS <query>`` / ``REPLACE TABLE ... AS``."""
    words = [t.upper for t in sig[:6]]
    if not words or words[0] not in ("CREATE", "REPLACE"):
        return False
    if "TABLE" not in words[:5]:
        return False
    depth = 0
    for tok in sig:
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif depth == 0 and tok.upper == "AS":
            return True
    return False


def _classify(sig: Sequence[_Token]) -> StatementKind:
    words = [t.upper or t.text for t in sig[:4]]
    if not words:
        return "other"
    first = words[0]
    if first == "(" or first in _QUERY_WORDS:
        return "query"
    if first == "INSERT" or (first == "EXECUTE" and words[1:2] == ["INSERT"]):
        return "insert"
    if first == "EXECUTE" and words[1:3] == ["STATEMENT", "SET"]:
        return "statement_set"
    if first in _DDL_WORDS:
        return "ddl"
    return "other"


@dataclass
class _Raw:
    """A statement being assembled by the splitter."""

    tokens: list[_Token] = field(default_factory=list)
    inner: list[list[_Token]] = field(default_factory=list)  # statement-set INSERTs

    @property
    def sig(self) -> list[_Token]:
        return [t for t in self.tokens if t.significant]


def _segment(script: str, tokens: Sequence[_Token]) -> SqlSegment | None:
    sig = [t for t in tokens if t.significant]
    if not sig:
        return None
    first, last = sig[0], sig[-1]
    return SqlSegment(
        script[first.offset : last.offset + len(last.text)], first.line, first.column, first.offset
    )


def _split_raw(tokens: Sequence[_Token]) -> list[_Raw]:
    """Split on top-level ``;``; an ``EXECUTE STATEMENT SET BEGIN ... END`` block stays whole."""
    out: list[_Raw] = []
    cur = _Raw()
    in_block = False
    inner: list[_Token] = []
    inner_started = False  # has the current inner statement a significant token yet?
    for tok in tokens:
        if in_block:
            cur.tokens.append(tok)
            if tok.upper == "END" and not inner_started:
                in_block = False  # the block's END: the statement ends at the next ';'
            elif tok.text == ";" and tok.kind == "punct":
                if inner_started:
                    cur.inner.append(inner)
                inner, inner_started = [], False
            else:
                inner.append(tok)
                inner_started = inner_started or tok.significant
            continue
        if tok.kind == "punct" and tok.text == ";":
            if cur.sig:
                out.append(cur)
            cur = _Raw()
            continue
        cur.tokens.append(tok)
        if tok.upper == "BEGIN" and _opens_statement_set_block(cur.sig):
            in_block = True
            inner, inner_started = [], False
    if in_block and inner_started:
        cur.inner.append(inner)  # unterminated block: keep what we have
    if cur.sig:
        out.append(cur)
    return out


def split_statements(script: str) -> list[ScriptStatement]:
    """Split a Flink SQL script into statements, keeping each one's position in the script.

    Splits on ``;`` outside strings, quoted identifiers and comments.  ``EXECUTE STATEMENT SET
    BEGIN ... END`` is one statement, and so is a SQL-client ``BEGIN STATEMENT SET; ...; END;``
    group.  Comment-only pieces are dropped.
    """
    tokens = _tokenize(script)
    raws = _split_raw(tokens)
    result: list[ScriptStatement] = []

    def emit(
        tokens_: Sequence[_Token],
        kind: StatementKind,
        parts: Iterable[SqlSegment],
        is_ctas: bool = False,
    ) -> None:
        seg = _segment(script, tokens_)
        assert seg is not None
        result.append(
            ScriptStatement(
                index=len(result) + 1,
                sql=seg.sql,
                kind=kind,
                line=seg.line,
                column=seg.column,
                offset=seg.offset,
                keywords=_words(tokens_),
                parts=tuple(parts),
                is_ctas=is_ctas,
            )
        )

    i = 0
    while i < len(raws):
        raw = raws[i]
        sig = raw.sig
        words = [t.upper or t.text for t in sig]
        if words == ["BEGIN", "STATEMENT", "SET"]:  # SQL-client style statement set
            j = i + 1
            group: list[_Raw] = []
            while j < len(raws) and [t.upper for t in raws[j].sig] != ["END"]:
                group.append(raws[j])
                j += 1
            all_tokens = [t for r in raws[i : j + 1] for t in r.tokens]
            parts = [s for s in (_segment(script, r.tokens) for r in group) if s]
            emit(all_tokens, "statement_set", parts)
            i = j + 1
            continue
        kind = _classify(sig)
        if kind == "statement_set":
            parts = [s for s in (_segment(script, t) for t in raw.inner) if s]
            emit(raw.tokens, kind, parts)
        elif kind == "insert" and sig[0].upper == "EXECUTE":
            body = _segment(script, raw.tokens[raw.tokens.index(sig[1]) :])
            emit(raw.tokens, kind, [body] if body else [])
        else:
            whole = _segment(script, raw.tokens)
            emit(
                raw.tokens,
                kind,
                [whole] if whole else [],
                _is_ctas(sig) if kind == "ddl" else False,
            )
        i += 1
    return result
