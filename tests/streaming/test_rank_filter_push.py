"""SL4015: a rank filter next to joins moves into the ranked input, generated.

Each generated Spark query ranks orders per customer (ROW_NUMBER in a CTE or a subquery) and
filters the rank in the WHERE of a query that joins the ranked input (inner join on either
side, a comma join, the preserved side of a LEFT JOIN, a self-join; the null-extended side of a
LEFT, FULL or later RIGHT join, which the WHERE reduces), or in the ON of its own LEFT / inner
join, with each accepted filter form.  It is translated for streaming and run on the embedded Flink 2.3; the changelog folded
into final rows must equal DuckDB's answer to the Spark query.  Orders are descending, or
ascending on the event time (Flink 2.3 plans a Top-1 ascending on another column insert-only:
SL4112; an event-time ascending Top-1 under a join may be planned so too, then SL4112 must
be its only error and the rows still equal).  The order keys have no ties.  Shapes the rule must not rewrite keep an error.

The 13 join shapes are split in :data:`SHARDS` interleaved groups, one test each (a Flink job
per example: the groups spread over the pytest-xdist workers; a shape is drawn in a run about
as often as from the 13 shapes at once).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft
from shiftleft.models import Severity

pytestmark = [pytest.mark.slow, pytest.mark.flink]

SCHEMA = {
    "orders": {"id": "INT", "customer": "STRING", "amount": "INT", "ts": "TIMESTAMP_NTZ"},
    "customers": {"customer": "STRING", "region": "STRING"},
}
EVENT_TIME = {"orders": "ts"}
ORDERS = [
    {"id": 1, "customer": "ann", "amount": 10, "ts": "2024-01-01 10:05:00"},
    {"id": 2, "customer": "bob", "amount": 7, "ts": "2024-01-01 10:20:00"},
    {"id": 3, "customer": "ann", "amount": 12, "ts": "2024-01-01 10:40:00"},
    {"id": 4, "customer": "ann", "amount": 3, "ts": "2024-01-01 11:10:00"},
    {"id": 5, "customer": "cid", "amount": 30, "ts": "2024-01-01 11:15:00"},
    {"id": 6, "customer": "bob", "amount": 9, "ts": "2024-01-01 12:01:00"},
    {"id": 7, "customer": "ann", "amount": 5, "ts": "2024-01-01 12:30:00"},
]
CUSTOMERS = [{"customer": "ann", "region": "eu"}, {"customer": "bob", "region": "us"}, {"customer": "dan", "region": "eu"}]

ORDERS_BY = ["ts DESC", "amount DESC", "id DESC", "ts"]  # no ties; ascending only on event time
BOUNDS = ["{r} = 1", "{r} <= 2", "{r} < 3", "2 >= {r}", "{r} BETWEEN 1 AND 2", "{r} <= 1"]
SHAPES = {
    # (FROM ... , projection)
    "join-right": ("customers AS c JOIN {ranked} ON c.customer = r.customer", "r.id, r.amount, c.region"),
    "join-left": ("{ranked} JOIN customers AS c ON c.customer = r.customer", "r.id, c.region"),
    "inner-join": ("{ranked} INNER JOIN customers AS c ON c.customer = r.customer", "r.id, r.ts, c.region"),
    "comma": ("customers AS c, {ranked}", "r.id, c.region"),
    "preserved-left": ("{ranked} LEFT JOIN customers AS c ON c.customer = r.customer", "r.id, r.amount, c.region"),
    "self-join": ("orders AS s JOIN {ranked} ON s.customer = r.customer", "s.id AS sid, r.id, r.amount"),
    # the WHERE rejects the NULLs an outer join pads r with: the join reduces, then the push
    "null-extended": ("customers AS c LEFT JOIN {ranked} ON c.customer = r.customer", "c.region, r.id"),
    "full": ("customers AS c FULL JOIN {ranked} ON c.customer = r.customer", "c.region, r.id, r.amount"),
    "right-preserved": ("customers AS c RIGHT JOIN {ranked} ON c.customer = r.customer", "c.region, r.id"),
    "later-right": (
        "orders AS s JOIN {ranked} ON s.customer = r.customer RIGHT JOIN customers AS c ON c.customer = s.customer",
        "c.region, s.id AS sid, r.id",
    ),
    # the filter in the ON of r's own join (the latest row per key, left-joined)
    "on-left": ("customers AS c LEFT JOIN {ranked} ON c.customer = r.customer AND {bound}", "c.region, r.id, r.amount"),
    "on-inner": ("orders AS s JOIN {ranked} ON {bound} AND s.customer = r.customer", "s.id AS sid, r.id"),
    "on-right-from": ("{ranked} RIGHT JOIN customers AS c ON c.customer = r.customer AND {bound}", "c.region, r.id"),
}
RANKED_BODY = "SELECT *, row_number() OVER (PARTITION BY customer ORDER BY {order}) AS rn FROM orders"
SHARDS = 5  # groups of 2-3 shapes, 6 examples each (30 in all)


@st.composite
def queries(draw: st.DrawFn, shard: int) -> str:
    """A query of one of the shapes of the ``shard``-th group."""
    order = draw(st.sampled_from(ORDERS_BY))
    body = RANKED_BODY.format(order=order)
    shape, (source, head) = draw(st.sampled_from(sorted(SHAPES.items())[shard::SHARDS]))
    cte = draw(st.booleans())
    ranked = "ranked AS r" if cte else f"({body}) AS r"
    bound = draw(st.sampled_from(BOUNDS)).format(r="r.rn")
    conditions = [] if "{bound}" in source else [bound]
    if shape == "comma":
        conditions.insert(0, "c.customer = r.customer")
    if draw(st.booleans()):
        conditions.append(draw(st.sampled_from(["r.amount > 4", "r.id <> 2"])))
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"SELECT {head} FROM {source.format(ranked=ranked, bound=bound)}{where}"
    return f"WITH ranked AS ({body}) {sql}" if cte else sql


def _ascending_top_1(sql: str) -> bool:
    return "ORDER BY ts)" in sql and any(f"r.rn {b}" in sql for b in ("= 1", "<= 1"))


@pytest.mark.parametrize("shard", range(SHARDS))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_rank_filters_equal_the_batch_answer(flink_planner_connectors, shard: int, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    sql = data.draw(queries(shard), label="sql")
    translation = shiftleft.transpile(sql, mode="streaming", schema=SCHEMA, event_time=EVENT_TIME, sources=True)
    errors = [d for d in translation.diagnostics if d.severity is Severity.ERROR]
    assert not errors, f"{sql}\n{errors}"
    assert "SL4015" in translation.rules_applied, sql
    assert "SL4004" not in translation.rules_applied, sql
    report = shiftleft.verify(
        sql,
        translation=translation,
        mode="streaming",
        schema=SCHEMA,
        event_time=EVENT_TIME,
        seeds={"orders": ORDERS, "customers": CUSTOMERS},
        planner=flink_planner_connectors,
    )
    if _ascending_top_1(sql):
        # Flink 2.3 may plan this Top-1 as an insert-only Rank on ROWTIME ASC (not a
        # deduplication) under the join: a later row with an earlier time would not retract
        # the first, so verify reports SL4112; it must be the only error
        errors = {d.rule_id for d in report.diagnostics if d.severity is Severity.ERROR}
        assert errors <= {"SL4112"}, report.format() + "\n" + translation.sql
        assert report.reconciled, report.format() + "\n" + translation.sql
        return
    assert report.ok and report.reconciled, report.format() + "\n" + translation.sql


_RANKED = "WITH ranked AS (SELECT *, {fn}() OVER (PARTITION BY customer ORDER BY ts DESC) AS rn FROM orders) "


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        # an ON filter on the preserved side keeps every row of it: not a filter of r
        (_RANKED.format(fn="row_number") + "SELECT c.region, r.id FROM ranked AS r LEFT JOIN customers AS c "
         "ON c.customer = r.customer AND r.rn = 1", "SL4004"),
        (_RANKED.format(fn="row_number") + "SELECT c.region, r.id FROM customers AS c FULL JOIN ranked AS r "
         "ON c.customer = r.customer AND r.rn <= 2", "SL4004"),
        # the filter is not a conjunct
        (_RANKED.format(fn="row_number") + "SELECT c.region, r.id FROM customers AS c JOIN ranked AS r "
         "ON c.customer = r.customer WHERE r.rn = 1 OR r.amount > 10", "SL4004"),
        # pushed, but streaming supports ROW_NUMBER only in a Top-N
        (_RANKED.format(fn="rank") + "SELECT c.region, r.id FROM customers AS c JOIN ranked AS r "
         "ON c.customer = r.customer WHERE r.rn = 1", "SL4002"),
        (_RANKED.format(fn="dense_rank") + "SELECT c.region, r.id FROM customers AS c JOIN ranked AS r "
         "ON c.customer = r.customer WHERE r.rn <= 2", "SL4002"),
    ],
)
def test_shapes_left_alone_or_unsupported_keep_an_error(sql: str, code: str) -> None:
    translation = shiftleft.transpile(sql, mode="streaming", schema=SCHEMA, event_time=EVENT_TIME)
    errors = {d.rule_id for d in translation.diagnostics if d.severity is Severity.ERROR}
    assert code in errors, translation.sql


def test_a_cte_read_elsewhere_is_not_changed() -> None:
    sql = (
        _RANKED.format(fn="row_number") + "SELECT c.region, r.id, (SELECT count(*) FROM ranked) AS n "
        "FROM customers AS c JOIN ranked AS r ON c.customer = r.customer WHERE r.rn = 1"
    )
    translation = shiftleft.transpile(sql, mode="streaming", schema=SCHEMA, event_time=EVENT_TIME)
    assert "SL4015" in translation.rules_applied
    assert "JOIN (SELECT * FROM ranked AS r WHERE r.rn = 1) AS r" in translation.sql
    assert "(SELECT COUNT(*) FROM ranked)" in translation.sql


def test_a_pushed_top_1_ascending_on_another_column_is_reported(flink_planner_connectors) -> None:  # type: ignore[no-untyped-def]
    """Flink 2.3 plans this Top-1 insert-only: under the join it keeps replaced rows (SL4112)."""
    sql = (
        "WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY customer ORDER BY amount) AS rn FROM orders) "
        "SELECT c.region, r.id FROM customers AS c JOIN ranked AS r ON c.customer = r.customer WHERE r.rn = 1"
    )
    translation = shiftleft.transpile(sql, mode="streaming", schema=SCHEMA, event_time=EVENT_TIME, sources=True)
    assert "SL4015" in translation.rules_applied
    report = shiftleft.verify(
        sql,
        translation=translation,
        mode="streaming",
        schema=SCHEMA,
        event_time=EVENT_TIME,
        seeds={"orders": ORDERS, "customers": CUSTOMERS},
        planner=flink_planner_connectors,
    )
    assert not report.ok, report.format()
    assert "SL4112" in {d.rule_id for d in report.diagnostics}, report.format()
