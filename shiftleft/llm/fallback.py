"""The LLM fallback: ask an Ollama model to translate the function calls no rule translated.

:class:`LLMFallback` is the engine's ``before_checks`` stage: it runs once per statement after
the rewrite rules and before the check rules.  For each *outermost* function call that is not
a Flink built-in (see :func:`~shiftleft.dialects.flink_functions.unmapped_function_name`) it

1. builds a prompt holding only that call's SQL, its input column types when the schema
   declares them, the target and mode, and related rule-catalogue entries
   (:mod:`shiftleft.llm.prompt`);
2. asks the model (through the on-disk cache, :mod:`shiftleft.llm.cache`, and an in-memory
   memo, so identical nodes are asked once) for a structured JSON answer;
3. validates the answer (:func:`validate_answer`): nothing the model returns is executed, it is
   only parsed as Flink SQL and inspected; a rejected answer is retried with the reason fed
   back, up to ``max_retries`` times;
4. replaces only that node by a copy of the validated expression, marked with a comment, and
   reports it (SL9101), or leaves the node as it was and reports why (SL9102, SL9103).  An
   untranslated node keeps its SL9001 error from the check pass that follows.

Statements the reader could not parse (``exp.Command``) are not sent: an answer for them cannot
be validated as a replacement of a known node.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from functools import cached_property

import sqlglot
from pydantic import ValidationError
from sqlglot import exp
from sqlglot.errors import SqlglotError

from shiftleft import __version__
from shiftleft.dialects.flink_functions import unmapped_function_name
from shiftleft.dialects.spark_coverage import SPARK_READERS, matrix_name
from shiftleft.llm.cache import AnswerCache, request_key
from shiftleft.llm.client import ChatBackend, LLMUnavailable, OllamaChat
from shiftleft.llm.config import LLMConfig
from shiftleft.llm.prompt import (
    ANSWER_FORMAT,
    CHAT_OPTIONS,
    LLMAnswer,
    Message,
    NodeRequest,
    build_messages,
    retry_messages,
    rule_hints,
)
from shiftleft.models import Severity
from shiftleft.rewrite.context import RuleContext
from shiftleft.rewrite.registry import builtin_rules

logger = logging.getLogger(__name__)

#: a node translated by the model (warning: review it)
TRANSLATED_ID = "SL9101"
#: the model's answers were all rejected, or it found no equivalent (error)
REJECTED_ID = "SL9102"
#: the server could not be asked (warning; the node's SL9001 error remains)
UNAVAILABLE_ID = "SL9103"

#: nodes whose SQL is longer than this are not sent (the prompt stays small)
MAX_NODE_SQL = 4000
#: answers longer than this are rejected without parsing
MAX_ANSWER_SQL = 4000

# Node types an answer may not contain anywhere: statements, queries, table references,
# parameters.  (An answer is parsed, never executed; this keeps it an expression.)
_FORBIDDEN: tuple[type[exp.Expr], ...] = tuple(
    t
    for t in (
        getattr(exp, name, None)
        for name in (
            "Query", "Subquery", "DDL", "DML", "Command", "Create", "Drop", "Alter", "Insert",
            "Update", "Delete", "Merge", "TruncateTable", "Use", "Set", "Transaction", "Commit",
            "Rollback", "Describe", "Show", "Copy", "Grant", "Pragma", "Table", "Placeholder",
            "Parameter",
        )
    )
    if isinstance(t, type)
)
# Answers of these types can replace a node without parentheses.
_ATOMIC = (exp.Func, exp.Column, exp.Literal, exp.Paren, exp.Boolean, exp.Null, exp.Bracket)
_FENCE = re.compile(r"^```[A-Za-z]*\s*\n?(.*?)\n?```$", re.DOTALL)


class AnswerRejected(Exception):
    """An answer failed validation.  ``final``: retrying will not help (the model declined)."""

    def __init__(self, message: str, *, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


def review_comment(model: str) -> str:
    """The comment put on every translated node in the output SQL."""
    safe = model.replace("*/", "* /").replace("\n", " ")
    return f"shiftleft: translated by LLM {safe}, review"


def find_unsupported(tree: exp.Expr, target: str, read: str = "") -> list[tuple[exp.Func, str]]:
    """The outermost calls in ``tree`` that are not ``target`` built-ins, with their names,
    in source order (a call nested in an unsupported call is part of the outer one).  Read
    from a Spark dialect, a Spark built-in of the coverage matrix is never one of them: it has
    a rule or a documented verdict (docs/functions.md)."""
    spark = read.lower() in SPARK_READERS
    found: list[tuple[exp.Func, str]] = []
    stack: list[exp.Expr] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, exp.Func):
            name = unmapped_function_name(node, target)
            if name is not None and not (spark and matrix_name(node) is not None):
                found.append((node, name))
                continue
        stack.extend(reversed(list(node.iter_expressions())))
    return found


def _inner_unsupported(node: exp.Expr, target: str) -> tuple[str, ...]:
    names = [
        name
        for f in node.find_all(exp.Func)
        if (name := unmapped_function_name(f, target)) is not None
    ]
    return tuple(dict.fromkeys(names))


def _column_key(column: exp.Column) -> tuple[str, str]:
    return (column.table.lower(), column.name.lower())


#: terminal escape sequences (CSI / OSC / single-character) and other control characters:
#: an answer is untrusted text that ends up in diagnostics on the user's terminal
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str) -> str:
    """``text`` without terminal escape sequences, control or bidi characters (tabs and
    newlines kept)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def _strip_fences(text: str) -> str:
    text = text.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    return text.rstrip(";").strip()


def validate_answer(content: str, original: exp.Expr, target: str) -> tuple[exp.Expr, str]:
    """Check a raw answer for ``original``; return the replacement expression and the model's
    explanation, or raise :class:`AnswerRejected` with what is wrong (fed back to the model).

    The answer must be JSON matching :class:`~shiftleft.llm.prompt.LLMAnswer` whose
    ``flink_sql`` parses with the ``target`` dialect into exactly one expression that

    * is not a statement and contains no query, subquery, table or parameter;
    * calls only ``target`` built-in functions;
    * references only columns that ``original`` references (no invented columns);
    * keeps the kind of ``original``: an aggregate call stays an aggregate, a scalar built-in
      does not become an aggregate, and no window (OVER) appears that was not there.
    """
    try:
        answer = LLMAnswer.model_validate_json(content)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
        raise AnswerRejected(f"the answer is not JSON matching the schema ({where}: {first.get('msg')})") from None
    explanation = " ".join(sanitize(answer.explanation).split())
    sql = _strip_fences(sanitize(answer.flink_sql))
    if not sql:
        reason = f": {explanation}" if explanation else ""
        raise AnswerRejected(f"the model found no Flink equivalent{reason}", final=True)
    if len(sql) > MAX_ANSWER_SQL:
        raise AnswerRejected(f"flink_sql is {len(sql)} characters long; one short expression is expected")
    try:
        parsed = [e for e in sqlglot.parse(sql, read=target) if e is not None]
    except SqlglotError as e:
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise AnswerRejected(f"flink_sql does not parse as Flink SQL: {message}") from None
    if len(parsed) != 1:
        raise AnswerRejected(f"flink_sql must be exactly one expression, not {len(parsed)}")
    expr = parsed[0]
    if isinstance(expr, exp.Alias):
        expr = expr.this
    for node in expr.walk():
        if isinstance(node, _FORBIDDEN):
            raise AnswerRejected(
                f"flink_sql must be a plain expression; it contains a {node.key.upper()} "
                "(no statements, queries, subqueries, tables or parameters)"
            )
        if isinstance(node, exp.Alias):
            raise AnswerRejected("flink_sql must not contain aliases")
        if isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
            raise AnswerRejected("flink_sql must not be or contain * (only COUNT(*) may use it)")
    if not isinstance(expr, (exp.Condition, exp.Func)):
        raise AnswerRejected(f"flink_sql must be one scalar or aggregate expression, not a {expr.key.upper()}")
    unmapped = _inner_unsupported(expr, target)
    if unmapped:
        raise AnswerRejected(
            f"flink_sql calls {', '.join(unmapped)}, which "
            f"{'is not a Flink built-in function' if len(unmapped) == 1 else 'are not Flink built-in functions'}; "
            "use only Flink built-in functions"
        )
    allowed = {_column_key(c) for c in original.find_all(exp.Column)}
    allowed_names = {name for _, name in allowed}
    invented = sorted(
        {
            c.sql(target)
            for c in expr.find_all(exp.Column)
            if (c.table and _column_key(c) not in allowed) or (not c.table and c.name.lower() not in allowed_names)
        }
    )
    if invented:
        known = ", ".join(sorted({c.sql(target) for c in original.find_all(exp.Column)})) or "none"
        raise AnswerRejected(
            f"flink_sql references column(s) {', '.join(invented)} that the input expression does "
            f"not use (allowed: {known})"
        )
    if expr.find(exp.Window) is not None and original.find(exp.Window) is None:
        raise AnswerRejected("flink_sql adds a window (OVER); keep the kind of expression")
    if not isinstance(original, exp.Anonymous):
        aggregates = expr.find(exp.AggFunc) is not None
        if isinstance(original, exp.AggFunc) and not aggregates:
            raise AnswerRejected("the input is an aggregate function; flink_sql must aggregate too")
        if not isinstance(original, exp.AggFunc) and aggregates:
            raise AnswerRejected("the input is a scalar function; flink_sql must not aggregate")
    for node in expr.walk():
        node.comments = None
    return expr, explanation


@dataclass(frozen=True)
class _Outcome:
    """What happened to one distinct node (memoized per :class:`LLMFallback`)."""

    status: str  # "translated" | "rejected" | "unavailable"
    expression: exp.Expr | None = None
    explanation: str = ""
    error: str = ""
    attempts: int = 0


@dataclass
class FallbackStats:
    """Counters for one :class:`LLMFallback` (what the tests and logs look at)."""

    nodes: int = 0  #: unsupported nodes seen
    distinct: int = 0  #: distinct prompts (memo misses)
    requests: int = 0  #: chat requests sent to the server
    cache_hits: int = 0  #: chat requests answered from the disk cache
    translated: int = 0
    rejected: int = 0
    unavailable: int = 0


class LLMFallback:
    """The ``before_checks`` stage of one :func:`shiftleft.transpile` call.

    All state (the memo of answered nodes, whether the server is known to be unreachable, the
    counters) lives in the instance; nothing is global.  ``chat`` substitutes the backend
    (default: :class:`~shiftleft.llm.client.OllamaChat` on ``config``'s host).
    """

    def __init__(self, config: LLMConfig, *, chat: ChatBackend | None = None) -> None:
        self.config = config
        self.host = config.resolved_host()
        self._chat = chat or OllamaChat(self.host, timeout_s=config.timeout_s, stream=config.stream)
        self._cache = AnswerCache(config.resolved_cache_dir()) if config.use_cache else None
        self._memo: dict[str, _Outcome] = {}
        #: set after a fatal failure, an open circuit breaker or a spent budget: later nodes
        #: are not sent
        self._down: LLMUnavailable | None = None
        self._failures_in_a_row = 0
        self._spent_s = 0.0
        self.stats = FallbackStats()

    @cached_property
    def _rules_version(self) -> str:
        """Fingerprint of shiftleft's version and rule set: part of every cache key."""
        ids = ",".join(f"{getattr(r, 'id', '')}:{getattr(r, 'title', '')}" for r in self._rules)
        return hashlib.sha256(f"{__version__}|{ids}".encode()).hexdigest()[:16]

    @cached_property
    def _rules(self) -> tuple[object, ...]:
        try:
            return tuple(builtin_rules())
        except Exception:
            logger.debug("no rule catalogue for LLM hints", exc_info=True)
            return ()

    def __call__(self, tree: exp.Expr, ctx: RuleContext) -> exp.Expr:
        target = ctx.target.value
        root = tree
        for node, name in find_unsupported(tree, target, ctx.read):
            self.stats.nodes += 1
            replacement = self._translate(node, name, ctx)
            if replacement is None:
                continue
            if node is root:
                root = replacement
            else:
                node.replace(replacement)
        return root

    # -- one node ---------------------------------------------------------------------------

    def _translate(self, node: exp.Func, name: str, ctx: RuleContext) -> exp.Expr | None:
        target = ctx.target.value
        if node.find(exp.Query) is not None:
            logger.debug("not asking the LLM about %s: it contains a subquery", name)
            return None
        sql = node.sql(dialect=target)
        if len(sql) > MAX_NODE_SQL:
            logger.debug("not asking the LLM about %s: %d characters", name, len(sql))
            return None
        request = self._request(node, sql, name, ctx)
        messages = build_messages(request)
        key = request_key(self.config.model, messages, ANSWER_FORMAT, CHAT_OPTIONS)
        outcome = self._memo.get(key)
        if outcome is None:
            self.stats.distinct += 1
            outcome = self._ask(node, messages, target)
            self._memo[key] = outcome
        model = self.config.model
        if outcome.status == "translated":
            assert outcome.expression is not None
            self.stats.translated += 1
            replacement = outcome.expression.copy()
            if not isinstance(replacement, _ATOMIC):
                replacement = exp.Paren(this=replacement)
            if node.comments:
                replacement.add_comments(list(node.comments))
            replacement.add_comments([review_comment(model)])
            shown = replacement.sql(dialect=target, comments=False)
            ctx.report(
                node,
                f"{name} translated by LLM {model} as {_clip(shown)}; review it",
                severity=Severity.WARNING,
                rule_id=TRANSLATED_ID,
                suggestion=_clip(f"check the semantics, then add a rewrite rule for {name}"
                                 + (f" (model: {outcome.explanation})" if outcome.explanation else ""), 400),
            )
            return replacement
        if outcome.status == "rejected":
            self.stats.rejected += 1
            ctx.report(
                node,
                f"LLM {model} gave no usable translation of {name} "
                f"({outcome.attempts} attempt{'s' if outcome.attempts != 1 else ''}): {_clip(outcome.error, 300)}",
                severity=Severity.ERROR,
                rule_id=REJECTED_ID,
                suggestion=f"translate {name} by hand, or add a rewrite rule for it",
            )
            return None
        self.stats.unavailable += 1
        ctx.report(
            node,
            f"LLM not used for {name}: Ollama at {self.host} is unavailable ({outcome.error})",
            severity=Severity.WARNING,
            rule_id=UNAVAILABLE_ID,
            suggestion="start Ollama (ollama serve) and pull the model, set OLLAMA_HOST, or run with --no-llm",
        )
        return None

    def _request(self, node: exp.Func, sql: str, name: str, ctx: RuleContext) -> NodeRequest:
        target = ctx.target.value
        columns: dict[str, str | None] = {}
        for column in node.find_all(exp.Column):
            text = column.sql(dialect=target)
            if text in columns:
                continue
            declared = ctx.declared_type(column)
            columns[text] = declared.sql(dialect=target) if declared is not None else None
        functions = tuple(dict.fromkeys([name, *_inner_unsupported(node, target)]))
        rules = [r for r in self._rules if getattr(r, "applies_to", lambda *_: True)(ctx.target, ctx.mode)]
        return NodeRequest(
            sql=sql,
            functions=functions,
            read=ctx.read,
            target=ctx.target,
            mode=ctx.mode,
            columns=tuple(columns.items()),
            hints=rule_hints(functions, rules),
        )

    def _ask(self, node: exp.Func, messages: list[Message], target: str) -> _Outcome:
        """Ask (and re-ask with feedback) until an answer validates or retries run out."""
        if self._down is not None:
            return _Outcome("unavailable", error=f"not asked: {self._down.reason}")
        last_error = ""
        attempts = 0
        for _ in range(1 + self.config.max_retries):
            attempts += 1
            try:
                content = self._complete(messages)
            except LLMUnavailable as e:
                if e.fatal:
                    self._down = e
                # reported as a diagnostic (SL9103); the log is for debugging only
                logger.info("Ollama at %s: %s", self.host, e.reason)
                error = e.reason if not last_error else f"{e.reason}; the previous answer was rejected: {last_error}"
                return _Outcome("unavailable", error=error, attempts=attempts)
            try:
                expression, explanation = validate_answer(content, node, target)
            except AnswerRejected as e:
                last_error = str(e)
                logger.info("LLM answer rejected (attempt %d): %s", attempts, last_error)
                if e.final:
                    break
                messages = retry_messages(messages, content, last_error)
                continue
            return _Outcome("translated", expression=expression, explanation=explanation, attempts=attempts)
        return _Outcome("rejected", error=last_error, attempts=attempts)

    def _check_budget(self) -> None:
        if self.stats.requests >= self.config.max_requests:
            raise LLMUnavailable(
                f"the run's budget of {self.config.max_requests} requests is spent", kind="budget", fatal=True
            )
        if self._spent_s >= self.config.budget_s:
            raise LLMUnavailable(
                f"the run's budget of {self.config.budget_s:g} s is spent", kind="budget", fatal=True
            )

    def _complete(self, messages: list[Message]) -> str:
        """One chat request, from the cache when it was asked before."""
        model = self.config.model
        key = request_key(model, messages, ANSWER_FORMAT, CHAT_OPTIONS, self._rules_version)
        if self._cache is not None:
            cached = self._cache.get(key)
            if cached is not None:
                self.stats.cache_hits += 1
                return cached
        self._check_budget()
        self.stats.requests += 1
        logger.debug("asking %s at %s (request %s)", model, self.host, key[:12])
        start = time.monotonic()
        try:
            content = self._chat.chat(model, messages, format=ANSWER_FORMAT, options=CHAT_OPTIONS)
        except LLMUnavailable as e:
            self._failures_in_a_row += 1
            if not e.fatal and self._failures_in_a_row >= self.config.breaker_failures:
                e = LLMUnavailable(
                    f"{e.reason}; {self._failures_in_a_row} failures in a row, not asking again in this run",
                    kind="breaker",
                    fatal=True,
                )
            raise e from None
        finally:
            self._spent_s += time.monotonic() - start
        self._failures_in_a_row = 0
        if self._cache is not None:
            self._cache.put(key, content, model=model, messages=messages)
        return content


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
