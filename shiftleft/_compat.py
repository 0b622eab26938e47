"""Environment checks run once at import.

The compiled sqlglot distribution (``sqlglotc``, ``pip install sqlglot[c]``) overlays mypyc
``.so`` modules onto sqlglot's own; mypyc classes cannot be subclassed from Python, so the
Flink dialect (which subclasses sqlglot's tokenizer, parser and generator) breaks with obscure
errors.  We detect it and stop with a message that says what to do.
"""

from __future__ import annotations

from shiftleft.errors import ShiftleftEnvironmentError

SQLGLOT_SERIES = 30


def sqlglotc_installed() -> bool:
    """True when sqlglot's core modules are compiled (the sqlglotc overlay)."""
    from sqlglot import parser, tokenizer_core

    return any(not str(getattr(m, "__file__", "x.py")).endswith(".py") for m in (tokenizer_core, parser))


def check_sqlglot() -> None:
    """Fail early, with instructions, on a sqlglot that the Flink dialect cannot extend."""
    import sqlglot

    if sqlglotc_installed():
        raise ShiftleftEnvironmentError(
            "shiftleft needs the pure-Python sqlglot, but the compiled 'sqlglotc' overlay is "
            "installed; its mypyc classes cannot be subclassed, which breaks the Flink dialect.\n"
            "  fix: pip uninstall -y sqlglotc && pip install --force-reinstall --no-deps "
            f"'sqlglot>={SQLGLOT_SERIES},<{SQLGLOT_SERIES + 1}'"
        )
    major = str(getattr(sqlglot, "__version__", "0")).split(".")[0]
    if major.isdigit() and int(major) != SQLGLOT_SERIES:
        raise ShiftleftEnvironmentError(
            f"shiftleft needs sqlglot {SQLGLOT_SERIES}.x, found {sqlglot.__version__}.\n"
            f"  fix: pip install 'sqlglot>={SQLGLOT_SERIES},<{SQLGLOT_SERIES + 1}'"
        )
