"""Fixtures of the deploy tests: the example project migrated, a real local cluster."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import shiftleft
from shiftleft.deploy.cluster import LocalCluster

sys.path.insert(0, str(Path(__file__).parent))

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def shop_pipelines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``examples/dbt_shop`` migrated once per session (read-only: copy it to deploy)."""
    out = tmp_path_factory.mktemp("deploy") / "shop"
    shiftleft.migrate(EXAMPLES / "dbt_shop", out)
    return out


@pytest.fixture
def pipelines_copy(shop_pipelines: Path, tmp_path: Path) -> Path:

    return Path(shutil.copytree(shop_pipelines, tmp_path / "pipelines"))


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """A real standalone Flink cluster from the apache-flink wheel, once per session."""

    local = LocalCluster(tmp_path_factory.mktemp("cluster"))
    local.start()
    try:
        yield local
    finally:
        local.stop()
