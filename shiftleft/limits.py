"""Resource limits for reading and translating SQL: nesting depth, and a deep stack.

sqlglot parses, rewrites and generates recursively, so a statement nested a few hundred
levels deep (parentheses, subqueries, function calls) exhausts Python's default recursion
limit of 1,000 frames.  :func:`call_deep` runs the work in a thread with a large stack and a
raised recursion limit, so nesting up to :data:`MAX_NESTING` levels works; deeper input is
refused with a :class:`~shiftleft.errors.LimitError` before parsing (the cost of sqlglot's
recursive passes grows faster than linearly with depth: 500 nested calls take ~6 s).
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from shiftleft.errors import InternalError, ShiftleftError

T = TypeVar("T")

#: deepest nesting (parentheses, CASE ... END) a statement may have
MAX_NESTING = 256
#: deepest nesting of ARRAY[...] literals: sqlglot's reader takes exponential time on them
#: (measured: 12 levels 0.3 s, 14 levels 3 s, 18 levels 48 s)
MAX_ARRAY_NESTING = 10
#: stack of the worker thread and recursion limit while it runs (measured: 256 nested
#: function calls need ~6,000 frames; 1,000 nested parentheses need ~30,000)
STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 100_000

_state = threading.local()
_limit_lock = threading.Lock()
_active = [0, 0]  # threads running deep, recursion limit to restore when none is


def _enter() -> None:
    with _limit_lock:
        if _active[0] == 0:
            _active[1] = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_active[1], RECURSION_LIMIT))
        _active[0] += 1


def _leave() -> None:
    with _limit_lock:
        _active[0] -= 1
        if _active[0] == 0:
            sys.setrecursionlimit(_active[1])


def call_deep(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a thread with a big stack and a high recursion limit.

    Exceptions propagate to the caller.  A ``RecursionError`` that still happens (input deeper
    than the limits allow) becomes an :class:`~shiftleft.errors.InternalError`; callers
    refuse such input earlier with :func:`check_nesting`.  Nested calls run inline.
    """
    if getattr(_state, "deep", False):
        return fn(*args, **kwargs)
    outcome: dict[str, Any] = {}

    def run() -> None:
        _state.deep = True
        try:
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - handed to the calling thread
            outcome["error"] = e

    _enter()
    try:
        with _limit_lock:  # threading.stack_size is process-wide: set it just for this thread
            previous = threading.stack_size(STACK_BYTES)
            try:
                worker = threading.Thread(target=run, name="shiftleft-deep", daemon=True)
                worker.start()
            finally:
                threading.stack_size(previous)
        worker.join()
    finally:
        _leave()
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, RecursionError):
            raise InternalError(
                "the input is nested too deeply for shiftleft's recursion limit",
                hint=f"simplify the statement (nesting deeper than {MAX_NESTING} levels is refused)",
            ) from error
        raise error
    return outcome["value"]


def deep_stack(fn: Callable[..., T]) -> Callable[..., T]:
    """Decorate a library entry point: run it with :func:`call_deep`, and turn any exception
    that is not a :class:`~shiftleft.errors.ShiftleftError` into an
    :class:`~shiftleft.errors.InternalError` (only shiftleft's own errors escape)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return call_deep(fn, *args, **kwargs)
        except ShiftleftError:
            raise
        except Exception as e:  # a bug must reach the user as one error type
            raise InternalError(
                f"internal error ({type(e).__name__}: {str(e)[:300]})",
                hint="please report this as a shiftleft bug, with the input (run with --debug for the traceback)",
            ) from e

    return wrapper
