"""Embedded Apache Flink planner: check that a Flink SQL script is accepted by the real engine.

>>> planner = FlinkPlanner()                       # cheap; the JVM starts on the first plan()
>>> report = planner.plan(script, mode="streaming")  # doctest: +SKIP
>>> report.ok, [str(e) for e in report.errors]       # doctest: +SKIP

Every :meth:`FlinkPlanner.plan` call uses a fresh ``TableEnvironment`` (fresh in-memory
catalog) in the one JVM of the process.  The script is split into statements (by the small
tokenizer below, which knows strings, quoted identifiers, comments and statement sets), and
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from shiftleft.flink_engine import jvm

log = logging.getLogger(__name__)

StatementKind = Literal["ddl", "query", "insert", "statement_set", "other"]
PlanMode = Literal["streaming", "batch"]

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


# --------------------------------------------------------------------------------------------
# Report models
# --------------------------------------------------------------------------------------------


class PlannerError(BaseModel):
    """One statement rejected by the Flink planner."""

    model_config = ConfigDict(frozen=True)

    statement: int = Field(description="1-based index of the statement in the script")
    message: str = Field(description="the planner's message, without Java stack frames")
    line: int | None = Field(default=None, description="1-based line in the whole script")
    column: int | None = Field(default=None, description="1-based column in the whole script")
    end_line: int | None = None
    end_column: int | None = None
    exception_class: str | None = Field(
        default=None,
        description="Java class of the outermost exception, e.g. "
        "org.apache.flink.table.api.ValidationException",
    )

    def __str__(self) -> str:
        where = [f"statement {self.statement}"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class PlannedStatement(BaseModel):
    """One statement of the script and what the planner said about it."""

    index: int = Field(description="1-based position in the script")
    sql: str
    kind: StatementKind
    line: int = Field(description="1-based line where the statement starts in the script")
    column: int = Field(description="1-based column where the statement starts")
    errors: list[PlannerError] = Field(default_factory=list)
    plan: str | None = Field(default=None, description="explain output (queries / inserts)")
    elapsed_ms: float = 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return not self.errors

    @computed_field  # type: ignore[prop-decorator]
    @property
    def error(self) -> PlannerError | None:
        """The first error (a statement set can have one per INSERT)."""
        return self.errors[0] if self.errors else None


class PlanReport(BaseModel):
    """The planner's verdict on a whole script."""

    mode: PlanMode
    statements: list[PlannedStatement] = Field(default_factory=list)
    elapsed_s: float = 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.statements)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def errors(self) -> list[PlannerError]:
        return [e for s in self.statements for e in s.errors]

    def __str__(self) -> str:
        head = f"{len(self.statements)} statement(s), {self.mode} mode: "
        if self.ok:
            return head + "accepted"
        return head + f"{len(self.errors)} error(s)\n" + "\n".join(f"  {e}" for e in self.errors)


# --------------------------------------------------------------------------------------------
# Script splitting
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Java exceptions -> PlannerError
# --------------------------------------------------------------------------------------------

_POS_RE = re.compile(r"\b([Ll]ine) (\d+), column (\d+)")
_RANGE_RE = re.compile(r"[Ff]rom line (\d+), column (\d+) to line (\d+), column (\d+)")
_LEADING_POS_RE = re.compile(
    r"^(?:(?:From|from) line \d+, column \d+ to line \d+, column \d+|At line \d+, column \d+)"
    r":\s*"
)
_WRAPPER_PREFIXES = ("SQL validation failed. ", "SQL parse failed. ")
_USEFUL_CLASS_RE = re.compile(
    r"(ValidationException|SqlParserException|SqlParseException|TableException|"
    r"CalciteContextException|SqlValidatorException|CatalogException|"
    r"NotExistException|AlreadyExistException|TokenMgrError|"
    r"ParseException|UnsupportedOperationException|ValidationError)$"
)
_MAX_EXPECTED = 8
_MAX_MESSAGE = 4000


@dataclass(frozen=True)
class _JavaCause:
    cls: str
    message: str
    pos: tuple[int, int, int, int] | None = None  # Calcite position: line, col, end line, end col


def _java_position(java_exc: Any, cls: str) -> tuple[int, int, int, int] | None:
    """The structured position of a Calcite parse / validation exception, if it has one."""
    try:
        if cls.endswith(".SqlParseException"):
            pos = java_exc.getPos()
            if pos is None:
                return None
            found = (
                pos.getLineNum(),
                pos.getColumnNum(),
                pos.getEndLineNum(),
                pos.getEndColumnNum(),
            )
        elif cls.endswith(".CalciteContextException"):
            found = (
                java_exc.getPosLine(),
                java_exc.getPosColumn(),
                java_exc.getEndPosLine(),
                java_exc.getEndPosColumn(),
            )
        else:
            return None
    except Exception:  # best effort only: the text of the message is the fallback
        log.debug("could not read the position of %s", cls, exc_info=True)
        return None
    line, col, end_line, end_col = (int(x) for x in found)
    return (line, col, end_line, end_col) if line > 0 and col > 0 else None


def _chain_from_java(java_exc: Any, limit: int = 20) -> list[_JavaCause]:
    chain: list[_JavaCause] = []
    seen = 0
    while java_exc is not None and seen < limit:
        cls = str(java_exc.getClass().getName())
        msg = java_exc.getMessage()
        chain.append(
            _JavaCause(cls, "" if msg is None else str(msg), _java_position(java_exc, cls))
        )
        java_exc = java_exc.getCause()
        seen += 1
    return chain


_HEADER_RE = re.compile(r"^(?:Caused by: )?([A-Za-z_$][\w$]*(?:\.[\w$]+)+)(?::\s?(.*))?$")


def _chain_from_text(trace: str) -> list[_JavaCause]:
    """Parse a Java stack trace (``cls: msg`` / ``at ...`` / ``Caused by: ...``) into causes."""
    chain: list[_JavaCause] = []
    lines = trace.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        is_first = not chain
        if is_first or line.startswith("Caused by: "):
            match = _HEADER_RE.match(line.strip() if is_first else line)
            if match:
                msg_lines = [match.group(2) or ""]
                i += 1
                while i < len(lines) and not lines[i].startswith(
                    ("\tat ", "\t... ", "Caused by: ")
                ):
                    msg_lines.append(lines[i])
                    i += 1
                chain.append(_JavaCause(match.group(1), "\n".join(msg_lines).rstrip()))
                continue
        i += 1
    return chain


def _java_chain(exc: BaseException) -> list[_JavaCause]:
    """The cause chain of a Java exception surfaced through Py4J / PyFlink."""
    java_exc = getattr(exc, "java_exception", None)
    if java_exc is not None:
        try:
            return _chain_from_java(java_exc)
        except Exception:  # pragma: no cover - fall back to the text
            log.debug("could not walk the Java cause chain", exc_info=True)
    text = str(exc)
    if "\n: " in text and text.startswith("An error occurred while calling"):
        text = text.split("\n: ", 1)[1]
    chain = _chain_from_text(text)
    if not chain:
        chain = [
            _JavaCause(type(exc).__name__, text.strip().splitlines()[0] if text.strip() else "")
        ]
    return chain


def _trim_expected(message: str) -> str:
    """Shorten Calcite's ``Was expecting one of:`` list, which can run to 100+ lines."""
    lines = message.splitlines()
    for k, line in enumerate(lines):
        if line.strip().startswith("Was expecting"):
            options = [x for x in lines[k + 1 :] if x.strip()]
            if len(options) > _MAX_EXPECTED:
                kept = options[:_MAX_EXPECTED]
                kept.append(f"    ... ({len(options) - _MAX_EXPECTED} more)")
                return "\n".join(lines[: k + 1] + kept)
            break
    return message


def _best_cause(chain: Sequence[_JavaCause]) -> int:
    """Index of the deepest cause that carries a planner / validator message."""
    best = 0
    for k, cause in enumerate(chain):
        if cause.message.strip() and _USEFUL_CLASS_RE.search(cause.cls):
            best = k
    return best


def _java_error_to_planner_error(
    exc: BaseException, statement: int, segment: SqlSegment
) -> PlannerError:
    if isinstance(exc, _ScriptError):
        return PlannerError(
            statement=statement, message=str(exc), line=segment.line, column=segment.column
        )
    chain = _java_chain(exc)
    k = _best_cause(chain)
    chosen = chain[k]

    # Position: from the chosen cause, else from the nearest cause that has one.
    pos_source = None
    for cause in [chosen, *chain[k + 1 :], *reversed(chain[:k])]:
        if _POS_RE.search(cause.message):
            pos_source = cause.message
            break

    def to_script(line: int, col: int) -> tuple[int, int]:
        return segment.line + line - 1, (col + segment.column - 1) if line == 1 else col

    line = column = end_line = end_column = None
    structured = next((c.pos for c in chain if c.pos is not None), None)
    if pos_source is None and structured is not None:
        line, column = to_script(structured[0], structured[1])
        end_line, end_column = to_script(structured[2], structured[3])
    elif pos_source is not None:
        rng = _RANGE_RE.search(pos_source)
        if rng:
            line, column = to_script(int(rng.group(1)), int(rng.group(2)))
            end_line, end_column = to_script(int(rng.group(3)), int(rng.group(4)))
        else:
            m = _POS_RE.search(pos_source)
            assert m is not None
            line, column = to_script(int(m.group(2)), int(m.group(3)))

    def rewrite(m: re.Match[str]) -> str:
        """Statement-relative "line X, column Y" -> position in the whole script."""
        script_line, script_col = to_script(int(m.group(2)), int(m.group(3)))
        return f"{m.group(1)} {script_line}, column {script_col}"

    message = chosen.message.strip()
    for prefix in _WRAPPER_PREFIXES:
        message = message.removeprefix(prefix)
    message = _LEADING_POS_RE.sub("", message)
    # Any remaining "line X, column Y" is statement-relative: rewrite to script positions.
    message = _trim_expected(_POS_RE.sub(rewrite, message))
    root = chain[-1]
    root_message = _POS_RE.sub(rewrite, root.message.strip())
    if len(chain) - 1 > k and root_message and root_message.splitlines()[0] not in message:
        # e.g. ValidationException "Cannot instantiate function" <- ClassNotFoundException
        short = root.cls.rsplit(".", 1)[-1]
        message += f" (caused by {short}: {root_message.splitlines()[0]})"
    if not message:
        message = chosen.cls
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + " ..."
    return PlannerError(
        statement=statement,
        message=message,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        exception_class=chain[0].cls,
    )


class _ScriptError(Exception):
    """A statement rejected on the Python side (before reaching Flink)."""


def _is_java_error(exc: BaseException) -> bool:
    """Py4J / PyFlink exceptions carrying a Java exception (or our own statement errors)."""
    if isinstance(exc, _ScriptError):
        return True
    module = type(exc).__module__
    return module.startswith(("py4j", "pyflink")) or hasattr(exc, "java_exception")


# --------------------------------------------------------------------------------------------
# The planner
# --------------------------------------------------------------------------------------------

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

_SAFE_OTHER = frozenset(
    {"SHOW", "DESCRIBE", "DESC", "EXPLAIN", "LOAD", "UNLOAD", "ADD", "REMOVE", "HELP"}
)
"""``other`` statements that only read or touch the session; the rest are only explained."""


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

    def new_environment(self, mode: PlanMode = "streaming") -> Any:
        """A fresh Java ``TableEnvironment`` with this planner's jars and configuration.

        Starts the JVM if needed.  Used by :mod:`shiftleft.flink_engine.runner` to execute
        queries in the same JVM (an environment costs about 0.05 s).
        """
        if mode not in ("streaming", "batch"):
            raise ValueError(f"mode must be 'streaming' or 'batch', not {mode!r}")
        return self._new_environment(jvm.get_gateway(), mode)

    def _new_environment(self, gateway: Any, mode: PlanMode) -> Any:
        jvm_ = gateway.jvm
        conf = jvm_.org.apache.flink.configuration.Configuration()
        for key, value in self.config.items():
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
        no_details: Any,
    ) -> None:
        def attempt(segment: SqlSegment, action: Any) -> Any:
            try:
                return action(segment.sql)
            except Exception as exc:
                if not _is_java_error(exc):
                    raise
                planned.errors.append(_java_error_to_planner_error(exc, st.index, segment))
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
                    whole, lambda _sql: str(stmt_set.explain(text_format, no_details))
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
                if not _is_java_error(exc):
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
        raise _ScriptError(
            "cannot read this statement: expected SET 'key' = 'value' or RESET 'key'"
        )


class PlanSession:
    """One Flink ``TableEnvironment`` reused for many scripts (see :meth:`FlinkPlanner.session`).

    Each :meth:`plan` call reports its own statements (indexes and lines relative to that
    script), so a caller can plan a pipeline table by table and attribute every rejection to
    the table whose statement it is; what earlier calls declared stays declared.
    """

    def __init__(self, planner: FlinkPlanner, mode: PlanMode) -> None:
        self.planner = planner
        self.mode = mode
        self._env: Any = None
        self._explain: Any = None
        self._formats: tuple[Any, Any] | None = None

    def _start(self) -> None:
        gateway = jvm.get_gateway()
        env = self.planner._new_environment(gateway, self.mode)
        jvm_ = gateway.jvm
        text_format = jvm_.org.apache.flink.table.api.ExplainFormat.TEXT
        no_details = gateway.new_array(jvm_.org.apache.flink.table.api.ExplainDetail, 0)
        self._env, self._formats = env, (text_format, no_details)
        self._explain = lambda sql: str(env.explainSql(sql, text_format, no_details))

    def plan(self, script: str) -> PlanReport:
        """Plan every statement of ``script`` in this session's environment; never runs a job."""
        started = time.perf_counter()
        statements = split_statements(script)
        report = PlanReport(mode=self.mode)
        if not statements:
            return report
        if self._env is None:
            self._start()
        assert self._formats is not None
        text_format, no_details = self._formats
        for st in statements:
            t0 = time.perf_counter()
            planned = PlannedStatement(
                index=st.index, sql=st.sql, kind=st.kind, line=st.line, column=st.column
            )
            try:
                self.planner._plan_statement(
                    self._env, st, planned, self._explain, text_format, no_details
                )
            finally:
                planned.elapsed_ms = round((time.perf_counter() - t0) * 1000, 2)
            if planned.errors:
                log.debug("statement %d rejected: %s", st.index, planned.errors[0].message)
            report.statements.append(planned)
        report.elapsed_s = round(time.perf_counter() - started, 4)
        return report
