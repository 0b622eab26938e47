"""dbt_utils macros that ask a warehouse about relations, answered from the project:
get_relations_by_pattern / _prefix (+ union_relations over them), pivot (conditional
aggregation over literal values), unpivot (from known columns, else reported),
get_column_values; every translated table planned on Flink."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp
from test_migrate_edges import make_project

from shiftleft.migration import Status, migrate
from shiftleft.migration.relation_macros import like

_SOURCES = """version: 2
sources:
  - name: shop_eu
    schema: raw_eu
    tables:
      - name: orders
        identifier: orders_eu
        columns: [{name: id, data_type: bigint}, {name: amount, data_type: double}]
      - name: refunds
        identifier: refunds_eu
        columns: [{name: id, data_type: bigint}]
  - name: shop_us
    schema: raw_us
    tables:
      - name: orders
        identifier: orders_us
        columns: [{name: id, data_type: bigint}, {name: amount, data_type: double}, {name: note, data_type: string}]
  - name: legacy
    schema: archive
    tables:
      - name: orders
        identifier: orders_old
        columns: [{name: id, data_type: bigint}]
"""

_UNION = """{% set rels = dbt_utils.get_relations_by_pattern('raw_%', 'orders%', exclude='%_old') %}
{{ dbt_utils.union_relations(relations=rels) }}
"""


def _tables_read(dml: str) -> set[str]:
    return {t.name for t in sqlglot.parse_one(dml, read="flink").expression.find_all(exp.Table)}


def test_get_relations_by_pattern_feeds_union_relations(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"all_orders.sql": _UNION}, {"models/s.yml": _SOURCES})
    result = migrate(project, plan=True)
    table = result.table("all_orders")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert _tables_read(table.dml or "") == {"orders_eu", "orders_us"}
    assert sorted(table.parents) == ["orders_eu", "orders_us"]
    columns = [c.split()[0].strip("`") for c in (table.ddl or "").split("(", 1)[1].splitlines()[1:4]]
    assert columns == ["_dbt_source_relation", "id", "amount"]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("get_relations_by_pattern('raw_eu', '%')", ["orders_eu", "refunds_eu"]),
        ("get_relations_by_pattern('RAW_%', 'ORDERS_%')", ["orders_eu", "orders_us"]),
        ("get_relations_by_pattern('%', 'orders\\\\_%', exclude='orders_us')", ["orders_old", "orders_eu"]),
        ("get_relations_by_prefix('raw_us', 'ord')", ["orders_us"]),
        ("get_relations_by_pattern('main%', 'stg%')", ["stg_a"]),
        ("get_relations_by_pattern('nowhere', '%')", []),
    ],
)
def test_patterns_match_like_dbt_utils(tmp_path: Path, call: str, expected: list[str]) -> None:
    model = (
        f"{{% set rels = dbt_utils.{call} %}}\n"
        "select '{{ rels | map(attribute='identifier') | join(',') }}' as names"
    )
    project = make_project(
        tmp_path / "p",
        {"m.sql": model, "stg_a.sql": "select 1 as id"},
        {"models/s.yml": _SOURCES},
    )
    result = migrate(project)
    table = result.table("m")
    assert f"'{','.join(expected)}'" in (table.dml or ""), table.dml
    if not expected:
        assert any(d.rule_id == "SL5020" and "no relation" in d.message for d in table.diagnostics)


@given(
    pattern=st.text(alphabet="ab%_", min_size=0, max_size=5),
    name=st.text(alphabet="abAB", min_size=0, max_size=5),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_like_agrees_with_sqlglot_executor(pattern: str, name: str) -> None:
    """The LIKE translation against sqlglot's own executor (ILIKE semantics)."""
    from sqlglot.executor import execute

    got = execute(
        f"select n from t where n ilike '{pattern}'", tables={"t": [{"n": name}]}
    ).rows
    assert bool(like(pattern).fullmatch(name)) == bool(got)


_PIVOT = """select id,
  {{ dbt_utils.pivot('kind', ['click', 'view', 'Add To Cart'], agg='sum', prefix='n_', quote_identifiers=False) }}
from {{ source('app', 'events') }}
group by id
"""


def test_pivot_with_literal_values_is_conditional_aggregation(tmp_path: Path) -> None:
    result = migrate(make_project(tmp_path / "p", {"pv.sql": _PIVOT}), plan=True)
    table = result.table("pv")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    tree = sqlglot.parse_one(table.dml or "", read="flink")
    names = [e.alias_or_name for e in tree.expression.find(exp.Select).expressions]
    assert names == ["id", "n_click", "n_view", "n_add_to_cart"]
    assert len(list(tree.find_all(exp.Case))) == 3


def test_pivot_over_seed_values(tmp_path: Path) -> None:
    model = (
        "select id, {{ dbt_utils.pivot('kind', dbt_utils.get_column_values(ref('kinds'), 'kind', "
        "order_by='kind')) }}\nfrom {{ source('app', 'events') }} group by id"
    )
    project = make_project(
        tmp_path / "p", {"pv.sql": model}, {"seeds/kinds.csv": "kind\nview\nclick\nview\n"}
    )
    result = migrate(project, plan=True)
    table = result.table("pv")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    assert "AS `click`" in (table.dml or "") and "AS `view`" in (table.dml or "")
    assert "kinds" in table.parents


def test_get_column_values_over_a_model_is_reported(tmp_path: Path) -> None:
    model = (
        "select id, {{ dbt_utils.pivot('kind', dbt_utils.get_column_values(ref('stg'), 'kind')) }}"
        "\nfrom {{ ref('stg') }} group by id"
    )
    project = make_project(
        tmp_path / "p",
        {"pv.sql": model, "stg.sql": "select id, kind from {{ source('app', 'events') }}"},
    )
    result = migrate(project)
    [error] = result.table("pv").errors
    assert error.rule_id == "SL5020" and "stg" in error.message
    assert result.table("stg").status is Status.TRANSLATED


_UNPIVOT = "{{ dbt_utils.unpivot(relation=ref('wide'), cast_to='string', exclude=['id'], remove=['skip'], field_name='metric', value_name='v') }}"


def test_unpivot_from_known_columns(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {
            "wide.sql": "select id, 1 as a, 2.5 as b, true as c, 'x' as skip "
            "from {{ source('app', 'events') }}",
            "long.sql": _UNPIVOT,
        },
    )
    result = migrate(project, plan=True)
    table = result.table("long")
    assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
    dml = table.dml or ""
    assert dml.count("UNION ALL") == 2 and "'c' AS" in dml and "skip" not in dml.lower()


def test_unpivot_with_unknown_columns_is_reported(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        {"long.sql": "{{ dbt_utils.unpivot(relation=source('app', 'users')) }}"},
    )
    [error] = migrate(project).table("long").errors
    assert error.rule_id == "SL5012" and "users" in error.message


_PIVOT_ARGS = (("column", "'kind'"), ("values", "['click', 'view']"), ("alias", "true"), ("agg", "'max'"), ("cmp", "'='"), ("prefix", "'n_'"))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(positional=st.integers(min_value=1, max_value=len(_PIVOT_ARGS)))
def test_pivot_arguments_bind_like_dbt_utils_positional_or_keyword(tmp_path: Path, positional: int) -> None:
    """dbt_utils.pivot(column, values, alias, agg, cmp, prefix, ...): any split between
    positional and keyword arguments renders the same SQL as the all-keyword call."""
    def call(k: int) -> str:
        args = [v for _, v in _PIVOT_ARGS[:k]] + [f"{n}={v}" for n, v in _PIVOT_ARGS[k:]]
        return f"select id, {{{{ dbt_utils.pivot({', '.join(args)}) }}}}\nfrom {{{{ source('app', 'events') }}}} group by id"

    dml = {}
    for k in (0, positional):
        project = make_project(tmp_path / f"p{k}_{positional}", {"pv.sql": call(k)})
        table = migrate(project).table("pv")
        assert table.status is Status.TRANSLATED, [d.message for d in table.diagnostics]
        dml[k] = table.dml
    assert dml[positional] == dml[0] and "MAX(" in (dml[0] or "").upper()


def test_bad_macro_arguments_are_reported_not_crashes() -> None:
    from shiftleft.migration.relation_macros import _PIVOT, bind_arguments
    from shiftleft.migration.render_values import RenderError

    assert bind_arguments("p", _PIVOT, ("c", ["v"]), {"agg": "max"})["agg"] == "max"
    for args, kwargs, message in [
        (("c",), {}, "needs the argument 'values'"),
        (("c", ["v"]), {"colour": 1}, "has no argument 'colour'"),
        (("c", ["v"]), {"column": "d"}, "got the argument 'column' twice"),
        (tuple(range(12)), {}, "takes at most 11 arguments"),
    ]:
        with pytest.raises(RenderError, match=message):
            bind_arguments("p", _PIVOT, args, kwargs)
