"""Java exceptions of the planner as :class:`~shiftleft.flink_engine.report.PlannerError`:
the most useful cause of the chain, its message without stack-trace noise, and its position
translated to line / column of the whole script."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shiftleft.flink_engine.report import PlannerError
from shiftleft.flink_engine.script import SqlSegment

log = logging.getLogger(__name__)

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
#: a Java object's identity hash (``PlannerComponentClassLoader @53730535``): it differs
#: between JVMs, so a message keeping it would make two runs' outputs differ
_IDENTITY_HASH_RE = re.compile(r" ?@[0-9a-f]{6,8}\b")


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


_CALL_RE = re.compile(r"Invalid function call:\s*(.+)", re.DOTALL)


def _detailed(chain: Sequence[_JavaCause], k: int) -> str:
    """The message of cause ``k``, or of a cause above it that says the same and more: Flink's
    deepest cause of a bad call is a bare "Invalid input arguments.", its parent adds the
    expected signatures and a cause above that names the call with its argument types
    ("Invalid function call: COALESCE(STRING, DOUBLE)")."""
    message = chain[k].message.strip()
    while k > 0:
        above = chain[k - 1].message.strip()
        if not (above.startswith(message) and len(above) > len(message)):
            break
        k, message = k - 1, above
    call = next((m for c in chain[:k] if (m := _CALL_RE.search(c.message))), None)
    if call is not None and call.group(1).strip() not in message:
        message = f"Invalid function call: {' '.join(call.group(1).split())}. {message}"
    return message


def java_error_to_planner_error(
    exc: BaseException, statement: int, segment: SqlSegment
) -> PlannerError:
    if isinstance(exc, ScriptError):
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

    message = _detailed(chain, k)
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
    message = _IDENTITY_HASH_RE.sub("", message)
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


class ScriptError(Exception):
    """A statement rejected on the Python side (before reaching Flink)."""


def is_java_error(exc: BaseException) -> bool:
    """Py4J / PyFlink exceptions carrying a Java exception (or our own statement errors)."""
    if isinstance(exc, ScriptError):
        return True
    module = type(exc).__module__
    return module.startswith(("py4j", "pyflink")) or hasattr(exc, "java_exception")
