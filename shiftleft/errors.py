"""The exceptions shiftleft raises.

Everything shiftleft raises on purpose derives from :class:`ShiftleftError`, so callers can
catch one type.  Problems *inside* a statement (an unmapped function, a construct Flink
lacks) are not exceptions: they are :class:`~shiftleft.models.Diagnostic` entries of the
result.  Exceptions are for input that cannot be read at all, bad configuration, and a
broken environment.
"""

from __future__ import annotations


class ShiftleftError(Exception):
    """Base class of every error shiftleft raises on purpose."""


class InputError(ShiftleftError):
    """The SQL text could not be read (tokenized or parsed).

    Carries where: ``statement`` (1-based index in the script), ``line`` and ``column``
    (1-based, in the whole script), plus a ``hint`` saying what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        statement: int | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.statement = statement
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.__str__())

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


class ConfigError(ShiftleftError):
    """An argument, option or rule pack is invalid (unknown dialect, bad rule file, ...)."""


class RuleDefinitionError(ConfigError):
    """A rule pack could not be loaded: syntax error in a ``.rules`` file, duplicate id, ..."""


class ShiftleftEnvironmentError(ShiftleftError):
    """The runtime environment cannot support the request (e.g. compiled sqlglotc installed,
    Java or PyFlink missing for verification)."""


__all__ = [
    "ShiftleftError",
    "InputError",
    "ConfigError",
    "RuleDefinitionError",
    "ShiftleftEnvironmentError",
]
