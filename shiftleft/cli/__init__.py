"""The ``shiftleft`` command line: one module per subcommand (``transpile``, ``rules``,
``migrate``, ``verify``, ``deploy`` / ``run``), what they share in :mod:`.common`, and the
parser and ``main`` in :mod:`.app`.

Exit codes: 0 translated without errors; 1 translated, with error diagnostics reported (or
warnings, with ``--fail-on warning``); 2 bad input or usage (unreadable SQL, unknown option
value, missing file, unsafe --out); 3 internal error (a bug; ``--debug`` shows the traceback);
130 interrupted.
"""

from __future__ import annotations

from shiftleft.cli.app import build_parser, main
from shiftleft.cli.common import Progress

__all__ = ["Progress", "build_parser", "main"]
