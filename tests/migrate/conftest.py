"""Fixtures for the ``shiftleft migrate`` tests: real dbt projects, compiled by the real dbt.

``dbt_shop`` compiles and builds the ``shop`` fixture project once per session (a few seconds
of dbt-core + dbt-duckdb, in-process); tests that use it are marked ``slow``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from real_dbt import DbtProject, build_and_compile, copy_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def shop_project() -> Path:
    """The ``shop`` fixture project, in the source tree (read-only: copy it to run dbt)."""
    return EXAMPLES / "dbt_shop"


@pytest.fixture
def shop_copy(shop_project: Path, tmp_path: Path) -> Path:
    """A fresh, writable copy of the ``shop`` project (not compiled, not built)."""
    return copy_project(shop_project, tmp_path / "shop")


@pytest.fixture(scope="session")
def dbt_shop(shop_project: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """A copy of ``shop`` that dbt built (seed, run --full-refresh, snapshot) and then compiled
    (compile --full-refresh), once per session.

    ``.dir`` is the copy, ``.manifest`` dbt's parsed ``target/manifest.json`` (models carry
    ``compiled_code``), ``.db`` the DuckDB file with the built relations.  Treat it as
    read-only: it is shared by the whole session.
    """
    return build_and_compile(shop_project, tmp_path_factory.mktemp("dbt") / "shop")
