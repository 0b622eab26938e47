"""An undeclared source column that a query unnests is an ARRAY, typed by how its elements
are used (:mod:`shiftleft.streaming.use_types`): the fields read from them make a ROW, each
field typed by its own use; an element used as a value takes that value's type.  Before, the
column was declared STRING and Flink refused the query ("Cannot apply 'UNNEST' to arguments of
type 'UNNEST(<VARCHAR(2147483647)>)'", cal-itp's ``FROM source, UNNEST(col) AS a10`` reading
``a10.id``), with no error reported.

Generated queries over the ways the readers unnest (BigQuery UNNEST with and without WITH
OFFSET, LEFT JOIN UNNEST, Spark explode / posexplode / LATERAL VIEW [OUTER] / explode in the
select list read by an outer query) and element uses: each translation with ``sources=True``
plans on Flink 2.3 or carries an error, and the unnested column is never declared STRING.
Migrate types it the same way (``tests/migrate/test_columns.py``)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shiftleft

#: (read, query with {uses}: the select items over the element, how the element is named there)
FORMS = (
    ("bigquery", "SELECT organization, {uses} FROM src, UNNEST(items) AS e", "e"),
    ("bigquery", "SELECT organization, {uses}, o AS n FROM src CROSS JOIN UNNEST(items) AS e WITH OFFSET AS o WHERE o > 0", "e"),
    ("bigquery", "SELECT s.organization, {uses} FROM src AS s LEFT JOIN UNNEST(s.items) AS e", "e"),
    ("spark", "SELECT organization, {uses} FROM src LATERAL VIEW explode(items) t AS e", "t.e"),
    ("spark", "SELECT organization, {uses} FROM src LATERAL VIEW OUTER explode(items) t AS e", "e"),
    ("spark", "SELECT organization, p, {uses} FROM src LATERAL VIEW posexplode(items) t AS p, e", "t.e"),
    ("spark", "SELECT q.organization, {uses} FROM (SELECT organization, explode(items) AS e FROM src) AS q", "q.e"),
)  # fmt: skip
#: uses of the element's fields, and of the element as a value
FIELD_USES = ("{e}.id", "{e}.amount + 1", "upper({e}.code)", "{e}.id = 'x'", "{e}.inner.k", "{e}.at + INTERVAL 1 HOUR")
VALUE_USES = ("{e}", "{e} + 1", "upper({e})", "{e} > 5")


def _declared(sql: str, column: str) -> str:
    found = re.search(rf"^\s*`?{column}`? (.+?),?$", sql, re.M)
    assert found, sql
    return found[1]


@pytest.mark.slow
@pytest.mark.flink
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    form=st.sampled_from(FORMS),
    fields=st.booleans(),
    picks=st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True),
    mode=st.sampled_from(["streaming", "batch"]),
)
def test_unnested_sources_plan_or_are_reported(
    flink_planner_connectors, form: tuple[str, str, str], fields: bool, picks: list[int], mode: str
) -> None:  # type: ignore[no-untyped-def]
    read, template, qualified = form
    uses = FIELD_USES if fields else VALUE_USES
    items = [uses[i % len(uses)].format(e=qualified) for i in picks]
    sql = template.format(uses=", ".join(f"{item} AS x{i}" for i, item in enumerate(dict.fromkeys(items))))
    result = shiftleft.transpile(sql, read=read, sources=True, mode=mode)
    assert _declared(result.sql, "items").startswith("ARRAY<"), result.sql
    if not result.ok:
        return
    report = flink_planner_connectors.plan(result.sql, mode=mode)
    assert report.ok, f"{sql}\n{result.sql}\n{report.errors[0].message}"


@pytest.mark.parametrize(
    ("read", "sql", "expected"),
    [
        ("bigquery", "SELECT a10.id AS id, a10.ReportId AS r FROM src, UNNEST(items) AS a10", "ARRAY<ROW<`id` STRING, `ReportId` STRING>>"),
        ("bigquery", "SELECT e.n + 1 AS n, e.d.k AS k FROM src, UNNEST(items) AS e", "ARRAY<ROW<`n` DOUBLE, `d` ROW<`k` STRING>>>"),
        ("bigquery", "SELECT x + 1 AS y FROM src, UNNEST(items) AS x", "ARRAY<DOUBLE>"),
        ("bigquery", "SELECT organization FROM src, UNNEST(items)", "ARRAY<STRING>"),
        ("spark", "SELECT t.item.id FROM src LATERAL VIEW explode(items) t AS item", "ARRAY<ROW<`id` STRING>>"),
        ("spark", "SELECT explode(items) AS tag FROM src", "ARRAY<STRING>"),
    ],
)  # fmt: skip
def test_unnested_column_type(read: str, sql: str, expected: str) -> None:
    result = shiftleft.transpile(sql, read=read, sources=True)
    assert _declared(result.sql, "items") == expected, result.sql


def test_offsets_and_elements_are_not_source_columns() -> None:
    sql = "SELECT organization, x, off FROM src CROSS JOIN UNNEST(tags) AS x WITH OFFSET AS off"
    result = shiftleft.transpile(sql, read="bigquery", sources=True)
    ddl = result.sources[0]
    assert " x " not in ddl and " off " not in ddl and "tags ARRAY<STRING>" in ddl, ddl
    assert result.ok, [d.message for d in result.diagnostics]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT upper(a10) AS u, a10.id FROM src, UNNEST(items) AS a10",  # a struct and a value
        "SELECT upper(x) AS u, x + 1 AS y FROM src, UNNEST(items) AS x",  # a string and a number
        "SELECT upper(items) AS u, x FROM src, UNNEST(items) AS x",  # the array as a string
    ],
)
def test_elements_with_no_sound_type_are_reported(sql: str) -> None:
    result = shiftleft.transpile(sql, read="bigquery", sources=True)
    assert any(d.rule_id == "SL3045" and "items" in d.message for d in result.errors), result.diagnostics
