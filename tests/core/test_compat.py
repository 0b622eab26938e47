"""sqlglotc (compiled sqlglot) is detected and refused with instructions."""

from __future__ import annotations

import pytest

from shiftleft import ShiftleftEnvironmentError
from shiftleft._compat import check_sqlglot, sqlglotc_installed


def test_pure_sqlglot_passes() -> None:
    assert not sqlglotc_installed()
    check_sqlglot()


def test_compiled_sqlglot_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlglot import parser

    # What the sqlglotc overlay looks like: sqlglot's modules loaded from .so files.
    monkeypatch.setattr(parser, "__file__", parser.__file__.replace(".py", ".cpython-311-x86_64-linux-gnu.so"))
    assert sqlglotc_installed()
    with pytest.raises(ShiftleftEnvironmentError, match="pip uninstall -y sqlglotc"):
        check_sqlglot()


def test_wrong_sqlglot_series_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlglot

    monkeypatch.setattr(sqlglot, "__version__", "29.0.1")
    with pytest.raises(ShiftleftEnvironmentError, match=r"needs sqlglot 30\.x"):
        check_sqlglot()
