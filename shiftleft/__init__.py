"""shiftleft: transpile batch dbt / Spark SQL models into Apache Flink SQL.

>>> import shiftleft
>>> print(shiftleft.transpile("SELECT nvl(a, 0) FROM t").sql)
SELECT COALESCE(a, 0) FROM t;
<BLANKLINE>
"""

from __future__ import annotations

from shiftleft._compat import check_sqlglot

check_sqlglot()

from shiftleft.errors import (  # noqa: E402
    ConfigError,
    InputError,
    RuleDefinitionError,
    ShiftleftEnvironmentError,
    ShiftleftError,
)
from shiftleft.models import (  # noqa: E402
    Diagnostic,
    Mode,
    Severity,
    StatementResult,
    Target,
    TranspileResult,
)
from shiftleft.transpile import transpile  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "transpile",
    "TranspileResult",
    "StatementResult",
    "Diagnostic",
    "Severity",
    "Target",
    "Mode",
    "ShiftleftError",
    "InputError",
    "ConfigError",
    "RuleDefinitionError",
    "ShiftleftEnvironmentError",
    "__version__",
]
