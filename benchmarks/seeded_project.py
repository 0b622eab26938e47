"""A deterministic dbt project of N models over seeds, in SQL that dbt-duckdb builds and shiftleft
migrates to Flink: the input of ``verify --streaming`` tests (streaming final state vs dbt).

    python benchmarks/seeded_project.py OUT_DIR --models 50 [--seed 0]

Three seeds (customers, orders, payments; typed in ``dbt_project.yml``) feed ``staging`` views;
``intermediate`` tables add payments (a LEFT JOIN on an aggregate), filter and relabel, keep
each customer's latest order (ROW_NUMBER ... = 1) or aggregate orders per customer;
``marts`` join customers with customers (dimensions), orders with customers (facts, half of
them incremental with a unique_key and an ``is_incremental()`` filter) and aggregate reports.
Every model has one of three column families (order grain, customer grain, report grain), so
any model can read any earlier one of a family.  Amounts are integer cents (exact in both
engines); no function whose answer depends on the engine (time zones, division, rounding).
The project has a ``profiles.yml`` of type duckdb, so the models are read as DuckDB SQL.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

PROJECT = "seeded_shop"
ORDER = ("order_id", "customer_id", "status", "channel", "amount_cents", "paid_cents", "order_ts")
STATUSES = ("placed", "shipped", "completed", "returned", "cancelled")
CHANNELS = ("web", "store", "app")
COUNTRIES = ("fr", "de", "us", "jp", "br")
SEGMENTS = ("retail", "pro", "partner")
METHODS = ("card", "cash", "voucher")


@dataclass
class Model:
    name: str
    family: str  # O | C | S
    depth: int
    sql: str
    parents: list[str] = field(default_factory=list)
    folder: str = "marts"


def _cols(alias: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{c}" for c in names)


def _seeds(rnd: random.Random, customers: int = 30, orders: int = 90) -> dict[str, str]:
    start = datetime(2024, 3, 1)
    lines = ["customer_id,name,country,segment"]
    lines += [f"{c},name_{c},{rnd.choice(COUNTRIES)},{rnd.choice(SEGMENTS)}" for c in range(1, customers + 1)]
    out = {"raw_customers": "\n".join(lines) + "\n"}
    lines = ["order_id,customer_id,order_ts,status,channel,amount_cents"]
    pays = ["payment_id,order_id,method,amount_cents,paid_at"]
    for o in range(1, orders + 1):
        ts = start + timedelta(minutes=37 * o + rnd.randrange(30))
        amount = rnd.randrange(100, 9000)
        lines.append(f"{o},{rnd.randrange(1, customers + 1)},{ts:%Y-%m-%d %H:%M:%S},{rnd.choice(STATUSES)},{rnd.choice(CHANNELS)},{amount}")
        for _ in range(rnd.choice((0, 1, 1, 2))):
            paid = ts + timedelta(hours=rnd.randrange(1, 48))
            pays.append(f"{len(pays)},{o},{rnd.choice(METHODS)},{rnd.randrange(50, amount + 1)},{paid:%Y-%m-%d %H:%M:%S}")
    out["raw_orders"] = "\n".join(lines) + "\n"
    out["raw_payments"] = "\n".join(pays) + "\n"
    return out


def _staging(index: int, family: str) -> Model:
    if family == "O":
        sql = f"""select
    order_id, customer_id, lower(status) as status, channel, amount_cents,
    cast(0 as bigint) as paid_cents, order_ts
from {{{{ ref('raw_orders') }}}}
where amount_cents >= {100 * (index % 5)}
"""
    else:
        sql = f"""select
    customer_id, upper(country) as country, segment,
    cast(0 as bigint) as order_count, cast(0 as bigint) as total_cents
from {{{{ ref('raw_customers') }}}}
where customer_id % {2 + index % 3} <> 0 or segment = 'pro'
"""
    return Model(f"stg_{'orders' if family == 'O' else 'customers'}_{index}", family, 1, sql, folder="staging")


def _intermediate(index: int, parent: Model, other: Model | None) -> Model:
    p = f"{{{{ ref('{parent.name}') }}}}"
    if parent.family == "C":
        assert other is not None and other.family == "O"
        sql = f"""select
    c.customer_id, c.country, c.segment,
    c.order_count + coalesce(a.n, 0) as order_count,
    c.total_cents + coalesce(a.s, 0) as total_cents
from {p} as c
left join (
    select customer_id, count(*) as n, sum(amount_cents + paid_cents) as s
    from {{{{ ref('{other.name}') }}}}
    group by customer_id
) as a on c.customer_id = a.customer_id
"""
        return Model(f"int_customers_{index}", "C", parent.depth + 1, sql, [parent.name, other.name], "intermediate")
    kind = index % 3
    if kind == 0:
        sql = f"""select
    {_cols('o', ORDER[:5])},
    o.paid_cents + coalesce(p.paid, 0) as paid_cents,
    o.order_ts
from {p} as o
left join (
    select order_id, sum(amount_cents) as paid
    from {{{{ ref('raw_payments') }}}}
    group by order_id
) as p on o.order_id = p.order_id
"""
    elif kind == 1:
        sql = f"""select
    order_id, customer_id, status,
    case when amount_cents >= {3000 + 500 * (index % 4)} then 'big_' || channel else channel end as channel,
    amount_cents, paid_cents, order_ts
from {p}
where status <> 'cancelled'
"""
    else:
        sql = f"""select {', '.join(ORDER)}
from (
    select
        {', '.join(ORDER)},
        row_number() over (partition by customer_id order by order_ts desc, order_id desc) as rn
    from {p}
) as ranked
where rn = 1
"""
    return Model(f"int_orders_{index}", "O", parent.depth + 1, sql, [parent.name], "intermediate")


def _dim(index: int, a: Model, b: Model) -> Model:
    sql = f"""select
    a.customer_id, a.country,
    case when a.total_cents + b.total_cents > {20000 + 1000 * (index % 5)} then 'gold' else b.segment end as segment,
    a.order_count + b.order_count as order_count,
    a.total_cents + b.total_cents as total_cents
from {{{{ ref('{a.name}') }}}} as a
join {{{{ ref('{b.name}') }}}} as b on a.customer_id = b.customer_id
"""
    return Model(f"dim_customers_{index}", "C", max(a.depth, b.depth) + 1, sql, [a.name, b.name])


def _fact(index: int, o: Model, c: Model) -> Model:
    incremental = index % 2 == 0
    config = (
        "{{ config(materialized='incremental', unique_key='order_id') }}\n\n" if incremental else ""
    )
    sql = f"""{config}select
    o.order_id, o.customer_id, o.status,
    c.segment || '_' || o.channel as channel,
    o.amount_cents, o.paid_cents, o.order_ts
from {{{{ ref('{o.name}') }}}} as o
join {{{{ ref('{c.name}') }}}} as c on o.customer_id = c.customer_id
"""
    if incremental:
        sql += "{% if is_incremental() %}\nwhere o.order_ts > (select max(order_ts) from {{ this }})\n{% endif %}\n"
    return Model(f"fct_orders_{index}", "O", max(o.depth, c.depth) + 1, sql, [o.name, c.name])


def _report(index: int, parent: Model) -> Model:
    p = f"{{{{ ref('{parent.name}') }}}}"
    if parent.family == "O":
        column = "status" if index % 2 else "channel"
        sql = f"""select {column} as grp, count(*) as n, sum(amount_cents + paid_cents) as total_cents
from {p}
group by {column}
"""
    else:
        sql = f"""select country || '/' || segment as grp, count(*) as n, sum(total_cents) as total_cents
from {p}
group by country || '/' || segment
"""
    return Model(f"rpt_{index}", "S", parent.depth + 1, sql, [parent.name])


def plan(models: int, rnd: random.Random) -> list[Model]:
    """``models`` models: staging 20 %, intermediate 36 %, dims 14 %, facts 16 %, reports the rest."""
    if models < 6:
        raise ValueError(f"a seeded project needs at least 6 models, not {models}")
    n_stg = max(2, models // 5)
    n_int = max(1, models * 36 // 100)
    n_dim = max(1, models * 14 // 100)
    n_fct = max(1, models * 16 // 100)
    n_rpt = max(1, models - n_stg - n_int - n_dim - n_fct)
    out: list[Model] = []
    fam: dict[str, list[Model]] = {"O": [], "C": []}

    def add(model: Model) -> None:
        out.append(model)
        fam.setdefault(model.family, []).append(model)

    for i in range(n_stg):
        add(_staging(i, "C" if i % 3 == 2 else "O"))
    for i in range(n_int):
        if i % 4 == 3:
            add(_intermediate(i, rnd.choice(fam["C"]), rnd.choice(fam["O"])))
        else:
            add(_intermediate(i, rnd.choice(fam["O"]), None))
    for i in range(n_dim):
        a, b = rnd.sample(fam["C"], 2) if len(fam["C"]) > 1 else (fam["C"][0], fam["C"][0])
        add(_dim(i, a, b))
    for i in range(n_fct):
        add(_fact(i, rnd.choice(fam["O"]), rnd.choice(fam["C"])))
    for i in range(n_rpt):
        add(_report(i, rnd.choice(fam["O"] + fam["C"])))
    return out


def _project_yml() -> str:
    return f"""name: {PROJECT}
version: "1.0.0"
config-version: 2
profile: {PROJECT}
model-paths: ["models"]
seed-paths: ["seeds"]
models:
  {PROJECT}:
    +materialized: table
    staging:
      +materialized: view
seeds:
  {PROJECT}:
    +quote_columns: false
    raw_customers:
      +column_types: {{customer_id: integer, name: varchar, country: varchar, segment: varchar}}
    raw_orders:
      +column_types: {{order_id: integer, customer_id: integer, order_ts: timestamp, status: varchar, channel: varchar, amount_cents: bigint}}
    raw_payments:
      +column_types: {{payment_id: integer, order_id: integer, method: varchar, amount_cents: bigint, paid_at: timestamp}}
"""


def _schema_yml(models: list[Model]) -> str:
    keys = {"O": "order_id", "C": "customer_id", "S": "grp"}
    lines = ["version: 2", "models:"]
    for m in models:
        if m.name.startswith("int_orders") and "row_number" in m.sql:
            key = "customer_id"
        else:
            key = keys[m.family]
        lines += [f"  - name: {m.name}", "    columns:", f"      - name: {key}", "        data_tests: [unique, not_null]"]
    return "\n".join(lines) + "\n"


def generate(root: Path, models: int, seed: int = 0) -> Path:
    """Write the project under ``root`` (replaced if it exists); returns ``root``."""
    rnd = random.Random(seed)
    root = Path(root)
    shutil.rmtree(root, ignore_errors=True)
    (root / "seeds").mkdir(parents=True)
    for name, text in _seeds(rnd).items():
        (root / "seeds" / f"{name}.csv").write_text(text, encoding="utf-8")
    planned = plan(models, rnd)
    for m in planned:
        folder = root / "models" / m.folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{m.name}.sql").write_text(m.sql, encoding="utf-8")
    (root / "models" / "schema.yml").write_text(_schema_yml(planned), encoding="utf-8")
    (root / "dbt_project.yml").write_text(_project_yml(), encoding="utf-8")
    (root / "profiles.yml").write_text(
        f"{PROJECT}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {PROJECT}.duckdb\n"
        "      schema: main\n      threads: 1\n",
        encoding="utf-8",
    )
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    generate(args.out, args.models, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
