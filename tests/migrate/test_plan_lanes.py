"""Planning a pipeline in several lanes (sessions in threads) gives the verdicts of one session.

Each lane declares every table's DDL in DAG order and plans the DML and verdict of the tables it
claims, so the statuses, errors and changelog verdicts of every table must not depend on the
number of lanes: checked on generated projects (several seeds) and on the ``shop`` fixture,
with rejected statements mixed in (a DDL whose readers then fail, a DML, a view).  The tables
come from ``migrate(plan=False)``: its planning changes statuses, never a table's DDL or DML,
and the lanes plan them here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from shiftleft.migration import migrate
from shiftleft.migration.models import PipelineTable
from shiftleft.migration.planning import default_lanes, plan_tables

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from project_gen import generate_project

pytestmark = [pytest.mark.slow, pytest.mark.flink]


def _broken(tables: list[PipelineTable], every: int) -> list[PipelineTable]:
    """The tables, with every ``every``-th statement made one the planner rejects."""
    out = []
    for k, table in enumerate(tables):
        if k % every == 1 and table.ddl:
            table = table.model_copy(
                update={"ddl": table.ddl.replace("(", "(no_such_type_col NO_SUCH_TYPE, ", 1)}
            )
        elif k % every == 2 and table.dml:
            table = table.model_copy(
                update={"dml": table.dml.replace("SELECT", "SELECT no_such_column,", 1)}
            )
        out.append(table)
    return out


def _verdicts(tables: list[PipelineTable], planner: Any, lanes: int) -> list[str]:
    seen: list[str] = []
    plans = plan_tables(
        tables, planner.session("streaming"), lambda t, p: seen.append(t.name), lanes=lanes
    )
    assert seen == [p.table for p in plans]  # progress in DAG order
    return [p.model_dump_json(exclude={"elapsed_ms"}) for p in plans]


@pytest.mark.parametrize("seed", [0, 1])
def test_lanes_give_the_verdicts_of_one_session(
    seed: int, tmp_path: Path, flink_planner_connectors: Any
) -> None:
    project = generate_project(tmp_path / "project", 18, seed=seed)
    tables = _broken(migrate(project, read="spark", env={}, plan=False).tables, every=5 + seed)
    one = _verdicts(tables, flink_planner_connectors, 1)
    assert '"ddl_errors":[{' in "".join(one) and '"dml_errors":[{' in "".join(
        one
    )  # rejections included
    assert _verdicts(tables, flink_planner_connectors, 2) == one
    assert _verdicts(tables, flink_planner_connectors, 3) == one


def test_lanes_on_the_shop_project(shop_project: Path, flink_planner_connectors: Any) -> None:
    tables = migrate(shop_project, read="duckdb", env={}, plan=False).tables
    assert _verdicts(tables, flink_planner_connectors, 2) == _verdicts(
        tables, flink_planner_connectors, 1
    )


def test_default_lanes_keep_small_pipelines_in_one_session() -> None:
    assert default_lanes(3) == 1
    assert 1 <= default_lanes(1000) <= 4
