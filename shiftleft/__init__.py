"""shiftleft: transpile batch dbt / Spark SQL models into Apache Flink SQL.

>>> import shiftleft
>>> print(shiftleft.transpile("SELECT nvl(a, 0) FROM t").sql)
SELECT COALESCE(a, 0) FROM t;
<BLANKLINE>

Public names are imported on first use, so ``import shiftleft`` costs little more than
``import sqlglot`` (pydantic, lark and the rule packs load when first needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shiftleft._compat import check_sqlglot

check_sqlglot()

__version__ = "0.1.0"

_EXPORTS = {
    "transpile": "shiftleft.pipeline",
    "transpile_files": "shiftleft.batch",
    "migrate": "shiftleft.migration",
    "MigrationResult": "shiftleft.migration",
    "TranspileOptions": "shiftleft.options",
    "MigrateOptions": "shiftleft.options",
    "VerifyOptions": "shiftleft.options",
    "verify": "shiftleft.verification",
    "VerifyReport": "shiftleft.verification",
    "FileResult": "shiftleft.batch",
    "TranspileResult": "shiftleft.models",
    "StatementResult": "shiftleft.models",
    "Diagnostic": "shiftleft.models",
    "Severity": "shiftleft.models",
    "Target": "shiftleft.models",
    "Mode": "shiftleft.models",
    "ShiftleftError": "shiftleft.errors",
    "InputError": "shiftleft.errors",
    "ConfigError": "shiftleft.errors",
    "RuleDefinitionError": "shiftleft.errors",
    "ShiftleftEnvironmentError": "shiftleft.errors",
}

__all__ = [*_EXPORTS, "__version__"]

if TYPE_CHECKING:  # the names __getattr__ resolves, for type checkers and IDEs
    from shiftleft.batch import FileResult, transpile_files
    from shiftleft.errors import (
        ConfigError,
        InputError,
        RuleDefinitionError,
        ShiftleftEnvironmentError,
        ShiftleftError,
    )
    from shiftleft.migration import MigrationResult, migrate
    from shiftleft.models import Diagnostic, Mode, Severity, StatementResult, Target, TranspileResult
    from shiftleft.options import MigrateOptions, TranspileOptions, VerifyOptions
    from shiftleft.pipeline import transpile
    from shiftleft.verification import VerifyReport, verify


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'shiftleft' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
