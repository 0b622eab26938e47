"""The exceptions shiftleft raises.

Everything shiftleft raises on purpose derives from :class:`ShiftleftError`, so callers can
catch one type.  Problems *inside* a statement (an unmapped function, a construct Flink
lacks) are not exceptions: they are :class:`~shiftleft.models.Diagnostic` entries of the
result.  Exceptions are for input that cannot be read at all, bad configuration, and a
broken environment.

Every error has a stable ``code`` (``SL00xx``, explained by ``shiftleft rules CODE``), a
``message``, and where known the ``file``, ``line`` and ``column`` it is about.
"""

from __future__ import annotations


class ShiftleftError(Exception):
    """Base class of every error shiftleft raises on purpose."""

    #: the stable code of this kind of error (``shiftleft rules CODE`` explains it)
    code: str = "SL0000"

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        if code is not None:
            self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(message)

    def location(self) -> str:
        """``file:line:col`` (as much of it as is known), or ``""``."""
        parts = [self.file or ("<input>" if self.line is not None else "")]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(p for p in parts if p)

    def __str__(self) -> str:
        text = self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def format(self, file: str | None = None) -> str:
        """A compiler-style line: ``file:line:col: error [SL0001] message (hint: ...)``."""
        if file is not None and self.file is None:
            self.file = file
        where = self.location()
        text = f"{where + ': ' if where else ''}error [{self.code}] {self.message}"
        return text + (f" (hint: {self.hint})" if self.hint else "")


class InputError(ShiftleftError):
    """The SQL text could not be read (tokenized or parsed).

    Carries where: ``statement`` (1-based index in the script), ``line`` and ``column``
    (1-based, in the whole script), plus a ``hint`` saying what to do.
    """

    code = "SL0001"

    def __init__(
        self,
        message: str,
        *,
        statement: int | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
        code: str | None = None,
        file: str | None = None,
        token: str | None = None,
    ) -> None:
        self.statement = statement
        self.token = token
        super().__init__(message, code=code, file=file, line=line, column=column, hint=hint)

    def __str__(self) -> str:
        where = []
        if self.statement is not None:
            where.append(f"statement {self.statement}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class LimitError(InputError):
    """The input exceeds a limit shiftleft keeps to stay fast and safe (nesting depth, size)."""

    code = "SL0003"


class ConfigError(ShiftleftError):
    """An argument, option or rule pack is invalid (unknown dialect, bad rule file, ...)."""

    code = "SL0010"


class RuleDefinitionError(ConfigError):
    """A rule pack could not be loaded: syntax error in a ``.rules`` file, duplicate id, ..."""

    code = "SL0011"


class OutputError(ConfigError):
    """The output location is unsafe or busy: ``--out`` is an input, inside one, a file, or
    locked by another run."""

    code = "SL0012"


class ShiftleftEnvironmentError(ShiftleftError):
    """The runtime environment cannot support the request (e.g. compiled sqlglotc installed,
    Java or PyFlink missing for verification)."""

    code = "SL0020"


class InternalError(ShiftleftError):
    """An unexpected failure inside shiftleft (a bug): the original exception is chained."""

    code = "SL0099"


__all__ = [
    "ShiftleftError",
    "InputError",
    "LimitError",
    "ConfigError",
    "RuleDefinitionError",
    "OutputError",
    "ShiftleftEnvironmentError",
    "InternalError",
]
