"""SL3028: select-list aliases named in a window's PARTITION BY / ORDER BY, a WHERE, a HAVING and
later SELECT items, some of them also the name of a source column (which then wins, as in
Snowflake).  Generated queries run on Flink 2.3 (batch) against DuckDB, which resolves the
aliases with the same precedence, over rows with NULLs and ties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.models import Severity

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {"t": {"id": "INT", "a": "INT", "b": "INT", "s": "STRING"}}
ROWS = [
    {"id": i, "a": None if i % 5 == 0 else i % 4, "b": (i * 7) % 5, "s": None if i % 6 == 0 else "xyz"[i % 3]}
    for i in range(1, 15)
]
# (expression, its type, alias names it may get: some are source columns)
DEFINITIONS = [
    ("a + 1", "int", ["x", "a"]),
    ("upper(s)", "str", ["u", "s"]),
    ("b % 3", "int", ["m", "b"]),
    ("coalesce(a, b)", "int", ["c"]),
    ("concat(s, 'q')", "str", ["v"]),
]


@st.composite
def queries(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(st.sampled_from(DEFINITIONS), min_size=1, max_size=3, unique_by=lambda d: d[0]))
    items, names = ["id"], []
    for expression, kind, choices in chosen:
        name = draw(st.sampled_from([c for c in choices if c not in {n for n, _ in names}] or ["z"]))
        items.append(f"{expression} AS {name}")
        names.append((name, kind))
    ints = [n for n, kind in names if kind == "int"]
    if ints and draw(st.booleans()):  # a lateral reference
        items.append(f"{draw(st.sampled_from(ints))} * 2 AS twice")
        ints.append("twice")
    every = [n for n, _ in names] + (["twice"] if "twice" in ints else [])
    partition = draw(st.lists(st.sampled_from(every), max_size=2, unique=True))
    by = f"PARTITION BY {', '.join(partition)} " if partition else ""
    order = draw(st.sampled_from(every))
    items.append(f"row_number() OVER ({by}ORDER BY {order}, id) AS rn")
    where = ""
    if draw(st.booleans()):
        name, kind = draw(st.sampled_from(names))
        where = f" WHERE {name} > 1" if kind == "int" else f" WHERE {name} <> 'Y'"
    return f"SELECT {', '.join(items)} FROM t{where}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=queries())
def test_select_aliases_equal_duckdb(flink_planner, sql: str) -> None:  # type: ignore[no-untyped-def]
    translation = shiftleft.transpile(sql, read="snowflake", mode="batch", schema=SCHEMA)
    assert not [d for d in translation.diagnostics if d.severity is Severity.ERROR], translation.diagnostics
    report = shiftleft.verify(
        sql, read="snowflake", translation=translation, mode="batch", schema=SCHEMA,
        seeds={"t": ROWS}, planner=flink_planner,
    )
    assert report.ok and report.reconciled, report.format() + "\n" + translation.sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT b AS g, count(*) AS n FROM t GROUP BY g HAVING n > 1",
        "SELECT a + 1 AS x, sum(b) AS total FROM t GROUP BY a HAVING total > 2 AND x > 1",
    ],
)
def test_having_aliases_equal_duckdb(flink_planner, sql: str) -> None:  # type: ignore[no-untyped-def]
    translation = shiftleft.transpile(sql, read="snowflake", mode="batch", schema=SCHEMA)
    assert "SL3028" in translation.rules_applied, translation.sql
    report = shiftleft.verify(
        sql, read="snowflake", translation=translation, mode="batch", schema=SCHEMA,
        seeds={"t": ROWS}, planner=flink_planner,
    )
    assert report.ok and report.reconciled, report.format() + "\n" + translation.sql


def test_unknown_source_columns_leave_the_name() -> None:
    """Without the sources' columns, the name may be a source column: nothing is rewritten."""
    translation = shiftleft.transpile("SELECT upper(s) AS u FROM other WHERE u = 'A'", read="snowflake")
    assert "SL3028" not in translation.rules_applied
    assert "WHERE u = 'A'" in translation.sql
