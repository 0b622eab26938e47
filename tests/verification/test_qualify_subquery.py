"""SL3027: QUALIFY as a subquery with the window as a column and an outer WHERE.  Generated
SELECT lists (1 to 12 items, ``*`` among them), partition and order keys, rank functions and
filters, run on Flink 2.3 (batch) against DuckDB's own QUALIFY over rows with NULLs and ties.
Flink 2.3 fails on a QUALIFY over six or more SELECT items; the subquery form plans at any width."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.models import Severity

pytestmark = [pytest.mark.slow, pytest.mark.flink]

COLUMNS = {"id": "INT", **{f"c{i}": "INT" for i in range(1, 6)}, **{f"s{i}": "STRING" for i in range(1, 5)}}
SCHEMA = {"t": COLUMNS}
ROWS = [
    {"id": i, **{f"c{k}": (None if (i + k) % 7 == 0 else (i * k) % (k + 2)) for k in range(1, 6)},
     **{f"s{k}": (None if (i + k) % 5 == 0 else "abc"[(i * k) % 3]) for k in range(1, 5)}}
    for i in range(1, 17)
]
ITEMS = [*COLUMNS, "c1 + c2 AS x", "upper(s1) AS u", "coalesce(s2, 'z')", "t.c3"]
KEYS = ["c1", "c2", "s1", "s3", "upper(s2)", "c4 % 2"]
RANKS = ["row_number()", "rank()", "dense_rank()"]


@st.composite
def queries(draw: st.DrawFn) -> str:
    star = draw(st.booleans())
    items = ["*"] if star else []
    # beside a *, no second item of a column's name (left as it is, with an error: tested below)
    pool = [i for i in ITEMS if " AS " in i or "(" in i] if star else ITEMS
    items += draw(st.lists(st.sampled_from(pool), min_size=0 if star else 1, max_size=12, unique=True))
    partition = draw(st.lists(st.sampled_from(KEYS), max_size=2, unique=True))
    order = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=2, unique=True))
    direction = draw(st.sampled_from(["", " DESC"]))
    ranking = draw(st.sampled_from(RANKS))
    by = f"PARTITION BY {', '.join(partition)} " if partition else ""
    # ROW_NUMBER's ties broken by id: a deterministic answer
    window = f"{ranking} OVER ({by}ORDER BY {', '.join(order)}{direction}, id)"
    bound = draw(st.sampled_from(["= 1", "<= 2", "> 1"]))
    if draw(st.booleans()):  # the window projected and the QUALIFY naming its alias
        items.append(f"{window} AS rn")
        condition = f"rn {bound}"
    else:
        condition = f"{window} {bound}"
    extra = draw(st.sampled_from(["", " AND c5 > 0", " OR count(*) OVER (PARTITION BY s4) > 3"]))
    return f"SELECT {', '.join(items)} FROM t QUALIFY {condition}{extra}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sql=queries())
def test_qualify_equals_duckdb(flink_planner, sql: str) -> None:  # type: ignore[no-untyped-def]
    translation = shiftleft.transpile(sql, read="snowflake", mode="batch", schema=SCHEMA)
    assert not [d for d in translation.diagnostics if d.severity is Severity.ERROR], translation.diagnostics
    assert "SL3027" in translation.rules_applied
    assert "QUALIFY" not in translation.sql.upper()
    report = shiftleft.verify(
        sql, read="snowflake", translation=translation, mode="batch", schema=SCHEMA,
        seeds={"t": ROWS}, planner=flink_planner,
    )
    assert report.ok and report.reconciled, report.format() + "\n" + translation.sql


def test_wide_qualify_plans_in_streaming(flink_planner_connectors) -> None:  # type: ignore[no-untyped-def]
    """The shape Flink recognises as a deduplication: it plans in streaming at any width."""
    items = ", ".join(COLUMNS)
    sql = f"SELECT {items} FROM t QUALIFY row_number() OVER (PARTITION BY c1 ORDER BY c2 DESC) = 1"
    translation = shiftleft.transpile(sql, read="snowflake", mode="streaming", schema=SCHEMA, sources=True)
    assert "QUALIFY" not in translation.sql.upper()
    report = flink_planner_connectors.plan(translation.sql)
    assert report.ok, "\n".join(str(e) for e in report.errors)
    assert "Rank" in report.statements[-1].plan


@pytest.mark.parametrize("sql", [
    "SELECT * FROM u QUALIFY row_number() OVER (PARTITION BY a ORDER BY b) = 1",  # columns unknown
    "SELECT *, id FROM t QUALIFY row_number() OVER (ORDER BY c1) = 1",  # two columns named id
])
def test_star_is_kept_with_an_error_when_it_cannot_be_listed(sql: str) -> None:
    translation = shiftleft.transpile(sql, read="snowflake", schema=SCHEMA)
    assert "QUALIFY" in translation.sql
    assert [d.severity for d in translation.diagnostics if d.rule_id == "SL3027"] == [Severity.ERROR]


def test_duplicate_names_and_clauses_after_qualify() -> None:
    """Two items of one name are renamed inside and back outside; DISTINCT, ORDER BY and
    LIMIT move to the outer query (Snowflake evaluates them after QUALIFY)."""
    sql = ("SELECT DISTINCT t.c1, u.c1, t.s1 FROM t JOIN u ON t.id = u.id "
           "QUALIFY rank() OVER (PARTITION BY t.s1 ORDER BY u.c2) = 1 ORDER BY t.s1 LIMIT 3")
    schema = {**SCHEMA, "u": {"id": "INT", "c1": "INT", "c2": "INT"}}
    out = shiftleft.transpile(sql, read="snowflake", mode="batch", schema=schema).sql
    assert out.startswith("SELECT DISTINCT _c AS c1, _c_2 AS c1, _c_3 AS s1 FROM (SELECT t.c1 AS _c, u.c1 AS _c_2, "
                          "t.s1 AS _c_3, RANK() OVER"), out
    assert out.rstrip().rstrip(";").endswith("WHERE _w = 1 ORDER BY _c_3 NULLS LAST LIMIT 3"), out
