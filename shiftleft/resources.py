"""Where the shipped data is: the ``rules/`` and ``grammars/`` folders, and the data files
inside the package (generated tables such as ``dialects/flink_arity.json``).

In a wheel the folders are packaged as ``shiftleft/_data/{rules,grammars}``; in a source
checkout (editable install, tests) they are the top-level folders of the repository.  The
package's own data files are in the package in both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Path of the shipped folder ``name`` (``"rules"`` or ``"grammars"``)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"shiftleft's '{name}' folder is missing from the installation; reinstall shiftleft"
    )


def grammar(name: str) -> str:
    return (data_dir("grammars") / name).read_text(encoding="utf-8")


def package_text(name: str) -> str:
    """Text of the data file ``name`` inside the package (``"dialects/flink_arity.json"``)."""
    return (_PACKAGE / name).read_text(encoding="utf-8")
