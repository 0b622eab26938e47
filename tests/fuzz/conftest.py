"""Counts the inputs the fuzz tests tried (printed at the end of the run)."""

from __future__ import annotations

import pytest

from fuzz_count import TRIED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TRIED["inputs"]:
        terminalreporter.write_line(f"fuzz: {TRIED['inputs']} inputs tried")
