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

__all__ = [*_EXPORTS, "__version__"]  # noqa: PLE0604 - the keys are strings

if TYPE_CHECKING:  # the names __getattr__ resolves, for type checkers and IDEs (re-exported)
    from shiftleft.batch import FileResult as FileResult
    from shiftleft.batch import transpile_files as transpile_files
    from shiftleft.errors import ConfigError as ConfigError
    from shiftleft.errors import InputError as InputError
    from shiftleft.errors import RuleDefinitionError as RuleDefinitionError
    from shiftleft.errors import ShiftleftEnvironmentError as ShiftleftEnvironmentError
    from shiftleft.errors import ShiftleftError as ShiftleftError
    from shiftleft.migration import MigrationResult as MigrationResult
    from shiftleft.migration import migrate as migrate
    from shiftleft.models import Diagnostic as Diagnostic
    from shiftleft.models import Mode as Mode
    from shiftleft.models import Severity as Severity
    from shiftleft.models import StatementResult as StatementResult
    from shiftleft.models import Target as Target
    from shiftleft.models import TranspileResult as TranspileResult
    from shiftleft.options import MigrateOptions as MigrateOptions
    from shiftleft.options import TranspileOptions as TranspileOptions
    from shiftleft.options import VerifyOptions as VerifyOptions
    from shiftleft.pipeline import transpile as transpile
    from shiftleft.verification import VerifyReport as VerifyReport
    from shiftleft.verification import verify as verify


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'shiftleft' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
