"""Relation identity: relations whose table names collide are all migrated, under distinct
names, with a warning; nothing collapses, nothing aborts, no model reads its own sink."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate


def _sources(*entries: tuple[str, str, str | None]) -> str:
    """A sources .yml: (source name, table name, identifier) entries."""
    lines = ["version: 2", "sources:"]
    by_source: dict[str, list[tuple[str, str | None]]] = {}
    for source, table, ident in entries:
        by_source.setdefault(source, []).append((table, ident))
    for source, tables in by_source.items():
        lines += [f"  - name: {source}", "    tables:"]
        for table, ident in tables:
            lines.append(f"      - name: {table}")
            if ident:
                lines.append(f"        identifier: '{ident}'")
            lines.append("        columns: [{name: id, data_type: bigint}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("first", "second"),
    [("groups", "groups"), ("_groups", "groups"), ("Orders", "orders"), ("a-b", "a_b")],
)
def test_clashing_source_identifiers_are_all_written(
    tmp_path: Path, first: str, second: str
) -> None:
    """Two sources in two schemas whose tables are one folder name (mattermost's `groups` and
    `_groups`): both declared, the run completes and writes both."""
    project = make_project(
        tmp_path / "p",
        {
            "one.sql": "select id from {{ source('s1', 't1') }}",
            "two.sql": "select id from {{ source('s2', 't2') }}",
        },
        {"models/more_sources.yml": _sources(("s1", "t1", first), ("s2", "t2", second))},
    )
    result = migrate(project, tmp_path / "out")
    declared = [t for t in result.tables if t.unique_id.startswith("source.demo.s")]
    assert [t.status for t in declared] == [Status.DECLARED, Status.DECLARED]
    assert len({t.name.lower() for t in declared}) == 2
    assert all(any(d.rule_id == "SL5009" for d in t.diagnostics) for t in declared)
    for model, table in (("one", "t1"), ("two", "t2")):
        read = result.table(model)
        source = next(t for t in declared if t.unique_id.endswith(f".{table}"))
        assert read.parents == [source.name]
        assert source.name in (read.dml or "")
    paths = {t.ddl_path for t in declared}
    assert len(paths) == 2 and all((tmp_path / "out" / p).is_file() for p in paths)


def test_model_named_like_its_source_never_reads_its_own_sink(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {"events.sql": "select id, kind from {{ source('app', 'events') }}"},
    )
    result = migrate(project, tmp_path / "out")
    model = next(t for t in result.tables if t.unique_id == "model.demo.events")
    source = next(t for t in result.tables if t.unique_id == "source.demo.app.events")
    assert model.name != source.name and model.status is Status.TRANSLATED
    tree = sqlglot.parse_one(model.dml, read="flink")
    assert tree.this.name == model.name  # INSERT INTO the model's table
    assert {t.name for t in tree.expression.find_all(exp.Table)} == {source.name}


def test_alias_clash_between_two_models_writes_both(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "a/orders.sql": "{{ config(schema='a') }}\nselect 1 as id",
            "b/orders_v2.sql": "{{ config(alias='orders', schema='b') }}\nselect 2 as id",
        },
    )
    result = migrate(project, tmp_path / "out")
    models = {t.unique_id: t for t in result.tables if t.resource_type == "model"}
    assert {t.status for t in models.values()} == {Status.TRANSLATED}
    assert sorted(t.name for t in models.values()) == ["a__orders", "b__orders"]


@pytest.mark.parametrize(
    ("identifier", "variables", "expected"),
    [
        ("{{ var('orders_table', 'orders_raw') }}", None, "orders_raw"),
        ("{{ var('orders_table', 'orders_raw') }}", {"orders_table": "o2"}, "o2"),
        (
            "{% if target.type == 'snowflake' %}{{ var('t', '\"ORDER\"') }}"
            "{%- else %}{{ var('t', 'order_x') }}{% endif %}",
            None,
            "order_x",
        ),
    ],
)
def test_jinja_in_source_yaml_is_rendered(
    tmp_path: Path, identifier: str, variables: dict[str, str] | None, expected: str
) -> None:
    source = {
        "name": "shop",
        "schema": "{{ var('shop_schema', 'raw') }}",
        "tables": [
            {"name": "orders", "identifier": identifier, "columns": [{"name": "id", "data_type": "bigint"}]}
        ],
    }
    yml = yaml.safe_dump({"version": 2, "sources": [source]})
    project = make_project(
        tmp_path / "p",
        {"stg.sql": "select id from {{ source('shop', 'orders') }}"},
        {"models/shop.yml": yml},
    )
    result = migrate(project, vars=variables)
    source = next(t for t in result.tables if t.unique_id == "source.demo.shop.orders")
    assert source.name == expected and source.status is Status.DECLARED
    assert "{" not in (source.ddl or "{") and expected in (result.table("stg").dml or "")
