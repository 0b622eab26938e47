"""Counts the inputs the fuzz tests tried (printed at the end of the run)."""

from __future__ import annotations

import pytest

from fuzz_count import TRIED


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: tests/conftest.py prints the sum
        workeroutput["fuzz_inputs"] = TRIED["inputs"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TRIED["inputs"]:
        terminalreporter.write_line(f"fuzz: {TRIED['inputs']} inputs tried")
