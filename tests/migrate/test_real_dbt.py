"""The real-dbt harness works: the ``shop`` project compiles and builds with dbt-duckdb.

The expectations are computed from the project's own files (the seed CSVs, the model files),
so that editing the fixture project does not silently turn these tests into no-ops.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from real_dbt import DbtProject, copy_project, duckdb_columns, duckdb_query

REVENUE_STATUSES = {"placed", "shipped", "completed"}  # macros/revenue_statuses.sql
CANCELLED = "cancelled"  # var('cancelled_status')


def read_seed(project: Path, name: str) -> list[dict[str, str]]:
    with (project / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def parse_ts(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


def dollars(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def count(project: DbtProject, relation: str) -> int:
    return duckdb_query(project.db, f"select count(*) from {relation}")[0][0]


# -- the fixture project itself (fast) -------------------------------------------------------


def test_copy_project_leaves_out_run_artifacts(shop_project: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    copy_project(shop_project, src)
    for artifact in ("target/manifest.json", "logs/dbt.log", "shop.duckdb"):
        (src / artifact).parent.mkdir(parents=True, exist_ok=True)
        (src / artifact).write_text("stale", encoding="utf-8")
    copy = copy_project(src, tmp_path / "copy")
    assert (copy / "dbt_project.yml").is_file()
    assert (copy / "dbt_packages" / "dbt_utils" / "macros" / "sql" / "star.sql").is_file()
    assert not (copy / "target").exists()
    assert not (copy / "logs").exists()
    assert not (copy / "shop.duckdb").exists()


def test_seed_edge_cases_are_present(shop_project: Path) -> None:
    customers = read_seed(shop_project, "raw_customers")
    orders = read_seed(shop_project, "raw_orders")
    payments = read_seed(shop_project, "raw_payments")
    countries = {row["code"] for row in read_seed(shop_project, "country_codes")}
    for rows in (customers, orders, payments):
        assert 15 <= len(rows) <= 40
    assert any(row["email"] == "" for row in customers)
    assert {row["customer_id"] for row in customers} - {row["customer_id"] for row in orders}
    assert any(row["country"] not in countries for row in customers)
    assert any(row["status"] == CANCELLED for row in orders)
    assert max(Counter(row["order_id"] for row in payments).values()) == 2
    assert {row["order_id"] for row in orders} - {row["order_id"] for row in payments}


# -- dbt compile ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_manifest_has_every_resource(dbt_shop: DbtProject, shop_project: Path) -> None:
    model_files = {path.stem for path in (shop_project / "models").rglob("*.sql")}
    models = dbt_shop.models()
    assert set(models) == model_files
    for name, node in models.items():
        assert node["compiled_code"].strip(), name
        assert "{{" not in node["compiled_code"] and "{%" not in node["compiled_code"], name

    seeds = {path.stem for path in (shop_project / "seeds").glob("*.csv")}
    nodes = dbt_shop.manifest["nodes"].values()
    assert seeds == {node["name"] for node in nodes if node["resource_type"] == "seed"}
    snapshot = dbt_shop.node("customers_snapshot", "snapshot")
    assert snapshot["schema"] == "snapshots"
    assert snapshot["relation_name"] == '"shop"."snapshots"."customers_snapshot"'
    assert set(dbt_shop.manifest["sources"]) == {
        f"source.shop.raw.{table}" for table in ("raw_orders", "raw_payments", "raw_customers")
    }


@pytest.mark.slow
def test_materializations(dbt_shop: DbtProject) -> None:
    materialized = {
        name: node["config"]["materialized"] for name, node in dbt_shop.models().items()
    }
    assert materialized == {
        "stg_customers": "view",
        "stg_orders": "view",
        "stg_payments": "view",
        "int_order_payments": "ephemeral",
        "int_customer_orders": "table",
        "dim_customers": "table",
        "dim_customers_redacted": "view",
        "fct_orders": "incremental",
        "fct_daily_revenue": "table",
        "rpt_payment_methods": "table",
    }
    fct_orders = dbt_shop.node("fct_orders")["config"]
    assert fct_orders["unique_key"] == "order_id"
    assert fct_orders["incremental_strategy"] == "delete+insert"
    # Relations are fully qualified and double-quoted: "<database>"."<schema>"."<identifier>",
    # the database being the DuckDB file's stem.
    assert dbt_shop.node("dim_customers")["relation_name"] == '"shop"."main"."dim_customers"'
    assert dbt_shop.node("int_order_payments")["relation_name"] is None


@pytest.mark.slow
def test_incremental_is_compiled_as_a_full_refresh(dbt_shop: DbtProject) -> None:
    code = dbt_shop.compiled_code("fct_orders")
    assert "max(order_ts)" not in code
    assert "is_incremental" not in code
    assert "max(order_ts)" in dbt_shop.node("fct_orders")["raw_code"]


@pytest.mark.slow
@pytest.mark.parametrize("consumer", ["int_customer_orders", "fct_orders"])
def test_ephemeral_model_is_inlined_as_a_cte(dbt_shop: DbtProject, consumer: str) -> None:
    code = dbt_shop.compiled_code(consumer)
    assert code.lstrip().startswith("with  __dbt__cte__int_order_payments as (")
    assert "select * from __dbt__cte__int_order_payments" in code
    assert '"shop"."main"."stg_payments"' in code  # the ephemeral model's own ref, resolved
    assert "model.shop.int_order_payments" in dbt_shop.node(consumer)["depends_on"]["nodes"]


@pytest.mark.slow
def test_dbt_utils_macros_are_resolved(dbt_shop: DbtProject) -> None:
    dim = dbt_shop.node("dim_customers")
    assert "macro.dbt_utils.generate_surrogate_key" in dim["depends_on"]["macros"]
    assert (
        "md5(cast(coalesce(cast(customers.customer_id as TEXT), "
        "'_dbt_utils_surrogate_key_null_') as TEXT)) as customer_key"
    ) in dim["compiled_code"]

    # star() reads the built view's columns (the fixture compiles after building).
    redacted = dbt_shop.compiled_code("dim_customers_redacted")
    stg_columns = duckdb_columns(dbt_shop.db, "main.stg_customers")
    expected = ",\n  ".join(f'"{column}"' for column in stg_columns if column != "email")
    assert expected in redacted
    assert '"email"' not in redacted and "*" not in redacted
    assert "dbt_utils" not in redacted


@pytest.mark.slow
def test_vars_env_vars_dispatch_and_tags(dbt_shop: DbtProject) -> None:
    assert f"lower(status) = '{CANCELLED}' as is_cancelled" in dbt_shop.compiled_code("stg_orders")
    environment = os.environ.get("SHOP_ENV", "dev")
    assert f"'{environment}' as environment" in dbt_shop.compiled_code("rpt_payment_methods")
    revenue = dbt_shop.node("fct_daily_revenue")
    assert "where status in ('placed', 'shipped', 'completed')" in revenue["compiled_code"]
    assert "macro.shop.revenue_statuses" in revenue["depends_on"]["macros"]
    assert "finance" in revenue["tags"]
    assert "cast(amount_cents / 100.0 as decimal(18, 2)) as amount" in dbt_shop.compiled_code(
        "stg_payments"
    )


@pytest.mark.slow
def test_contract_and_source_metadata(dbt_shop: DbtProject) -> None:
    dim = dbt_shop.node("dim_customers")
    assert dim["contract"]["enforced"] is True
    assert [c["type"] for c in dim["constraints"]] == ["primary_key"]
    assert dim["columns"]["customer_id"]["data_type"] == "integer"
    assert dim["columns"]["lifetime_value"]["data_type"] == "decimal(18,2)"
    orders = dbt_shop.manifest["sources"]["source.shop.raw.raw_orders"]
    assert orders["schema"] == "main"
    assert orders["loaded_at_field"] == "order_ts"
    assert orders["freshness"]["error_after"] == {"count": 24, "period": "hour"}
    assert orders["columns"]["order_ts"]["data_type"] == "timestamp"


# -- dbt seed / run / snapshot ------------------------------------------------------------------


@pytest.mark.slow
def test_built_relations_match_the_seeds(dbt_shop: DbtProject, shop_project: Path) -> None:
    customers = read_seed(shop_project, "raw_customers")
    orders = read_seed(shop_project, "raw_orders")
    payments = read_seed(shop_project, "raw_payments")
    countries = read_seed(shop_project, "country_codes")

    seeds = {
        "raw_customers": customers,
        "raw_orders": orders,
        "raw_payments": payments,
        "country_codes": countries,
    }
    for name, rows in seeds.items():
        assert count(dbt_shop, f"main.{name}") == len(rows), name
    assert count(dbt_shop, "main.dim_customers") == len(customers)
    assert count(dbt_shop, "main.dim_customers_redacted") == len(customers)
    assert count(dbt_shop, "main.fct_orders") == len(orders)
    assert count(dbt_shop, "main.int_customer_orders") == len({o["customer_id"] for o in orders})
    assert count(dbt_shop, "main.rpt_payment_methods") == len(
        {p["method"].lower() for p in payments}
    )
    tables = {
        row[0]
        for row in duckdb_query(dbt_shop.db, "select table_name from information_schema.tables")
    }
    assert "int_order_payments" not in tables  # ephemeral: never built


@pytest.mark.slow
def test_dim_customers_rows(dbt_shop: DbtProject, shop_project: Path) -> None:
    customers = read_seed(shop_project, "raw_customers")
    orders = read_seed(shop_project, "raw_orders")
    known = {row["code"]: row["name"] for row in read_seed(shop_project, "country_codes")}
    order_counts = Counter(int(o["customer_id"]) for o in orders)
    rows = duckdb_query(
        dbt_shop.db,
        "select customer_id, customer_key, email, country_name, order_count "
        "from main.dim_customers order by customer_id",
    )
    expected = [
        (
            int(c["customer_id"]),
            hashlib.md5(c["customer_id"].encode()).hexdigest(),
            c["email"].strip().lower() or None,
            known.get(c["country"]),
            order_counts.get(int(c["customer_id"]), 0),
        )
        for c in sorted(customers, key=lambda c: int(c["customer_id"]))
    ]
    assert rows == expected
    assert "email" not in duckdb_columns(dbt_shop.db, "main.dim_customers_redacted")


@pytest.mark.slow
def test_fact_rows(dbt_shop: DbtProject, shop_project: Path) -> None:
    orders = read_seed(shop_project, "raw_orders")
    payments = read_seed(shop_project, "raw_payments")
    paid: dict[int, int] = defaultdict(int)
    for p in payments:
        paid[int(p["order_id"])] += int(p["amount_cents"])
    payment_counts = Counter(int(p["order_id"]) for p in payments)

    rows = duckdb_query(
        dbt_shop.db,
        "select order_id, is_cancelled, amount, total_paid, payment_count "
        "from main.fct_orders order by order_id",
    )
    assert rows == [
        (
            int(o["order_id"]),
            o["status"] == CANCELLED,
            dollars(int(o["amount_cents"])),
            dollars(paid[int(o["order_id"])]),
            payment_counts[int(o["order_id"])],
        )
        for o in sorted(orders, key=lambda o: int(o["order_id"]))
    ]

    revenue: dict[datetime, Decimal] = defaultdict(Decimal)
    for o in orders:
        if o["status"] in REVENUE_STATUSES:
            day = parse_ts(o["order_ts"]).replace(hour=0, minute=0, second=0)
            revenue[day] += dollars(int(o["amount_cents"]))
    daily = duckdb_query(
        dbt_shop.db, "select revenue_day, revenue from main.fct_daily_revenue order by 1"
    )
    assert [(day.replace(tzinfo=None), amount) for day, amount in daily] == sorted(revenue.items())


@pytest.mark.slow
def test_snapshot_table(dbt_shop: DbtProject, shop_project: Path) -> None:
    customers = read_seed(shop_project, "raw_customers")
    columns = duckdb_columns(dbt_shop.db, "snapshots.customers_snapshot")
    assert {"dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"} <= set(columns)
    assert columns[: len(customers[0])] == list(customers[0])
    rows = duckdb_query(
        dbt_shop.db,
        "select customer_id, dbt_valid_from, dbt_valid_to, updated_at "
        "from snapshots.customers_snapshot order by customer_id",
    )
    assert len(rows) == len(customers)
    assert all(valid_to is None for _, _, valid_to, _ in rows)
    assert all(valid_from == updated_at for _, valid_from, _, updated_at in rows)


@pytest.mark.slow
def test_run_dbt_raises_with_dbts_error(shop_copy: Path) -> None:
    from real_dbt import run_dbt

    (shop_copy / "models" / "staging" / "stg_orders.sql").write_text(
        "select {{ no_such_macro() }}", encoding="utf-8"
    )
    with pytest.raises(AssertionError, match="'no_such_macro' is undefined") as failure:
        run_dbt(shop_copy, "compile", "--select", "stg_orders")
    assert "dbt compile --select stg_orders failed" in str(failure.value)
    assert (shop_copy / "profiles.yml").is_file()
    assert (shop_copy / "logs" / "dbt.log").is_file()
