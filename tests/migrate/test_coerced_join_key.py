"""A join on columns of two types loses Flink's upsert key: migrate upserts with ON CONFLICT.

A LEFT JOIN of two aggregates on their full group keys keeps the left key, by the derivation
and by Flink, when the key columns have one type.  When one side's ``order_id`` is an INT (a
staging view's ``cast(null as int)`` fill, Fivetran's habit) and the other a DECIMAL, Flink
casts one side and the join's upsert key is lost: the INSERT into the table keyed on the
model's unique_key was rejected ("The query has an upsert key that differs from the primary
key of the sink table") while migrate said translated (dbt_shopify's
shopify__orders__order_line_aggregates).  Checked on the Flink 2.3 planner, both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftleft.migration import Status, migrate

_SOURCES = """version: 2
sources:
  - name: app
    tables:
      - name: lines
        columns:
          - {name: order_id, data_type: "decimal(28,6)"}
          - {name: qty, data_type: int}
      - name: shipping
        columns:
          - {name: order_id, data_type: "ID_TYPE"}
          - {name: price, data_type: double}
"""
_MODEL = """{{ config(materialized='table', unique_key='order_id') }}
with l as (select order_id, count(*) as n from {{ source('app', 'lines') }} group by order_id),
s as (select order_id, sum(price) as price from {{ source('app', 'shipping') }} group by order_id)
select l.order_id, l.n, s.price from l left join s on s.order_id = l.order_id
"""


def _project(root: Path, id_type: str) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: demo\nprofile: demo\n")
    (root / "models" / "sources.yml").write_text(_SOURCES.replace("ID_TYPE", id_type))
    (root / "models" / "totals.sql").write_text(_MODEL)
    return root


@pytest.mark.flink
@pytest.mark.parametrize("id_type", ["int", "decimal(28,6)"])
def test_join_key_types_and_the_upsert(tmp_path: Path, id_type: str) -> None:
    result = migrate(_project(tmp_path / "p", id_type), read="spark", plan=True)
    table = result.table("totals")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert table.primary_key == ["order_id"]
    # the policy only where Flink needs it: equal types keep the query's own key
    assert ("ON CONFLICT DO DEDUPLICATE" in (table.dml or "")) == (id_type == "int")
