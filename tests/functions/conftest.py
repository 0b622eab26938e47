"""Fixtures of the function tests: one local PySpark session for the whole pytest session.

The session starts lazily (only when a test asks for it) with the settings the differential
tests assume: local[2], two shuffle partitions, no UI, UTC session time zone, ANSI mode as
Spark 4 ships it (on).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="pip install -e '.[spark]'")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("shiftleft-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        # a few hundred rows: interpreting is much cheaper than compiling 100+ expressions
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
