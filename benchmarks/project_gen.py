"""A deterministic synthetic dbt project of N models, for the ``shiftleft migrate`` benchmark.

    python benchmarks/project_gen.py OUT_DIR --models 2000 [--seed 0]

The project is shaped like a Kimball warehouse on Spark (``read="spark"``; it has no
profiles.yml): ``models/staging/<domain>/`` views over ``{{ source(...) }}`` tables,
``models/intermediate/<domain>/`` models joining, aggregating, deduplicating or enriching one
to three earlier models (a few ephemeral), ``models/marts/<domain>/`` dimensions and facts
(some incremental, with an ``{% if is_incremental() %}`` filter) and report views.  It has a
sources .yml (about one table per 20 models, columns typed, some with ``loaded_at_field``), a
schema.yml per folder (``unique`` / ``not_null`` tests on keys), project macros, project vars
and a seed.  Every ``ref`` names an earlier model, so the DAG is acyclic; its longest path is
eight models (``stg -> int -> int -> int -> dim -> fct -> fct -> rpt``).

Every model outputs the same core columns (``CORE``), so any model can read any earlier one;
each adds a few derived columns of its own.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "synthetic_shop"
DOMAINS = ("sales", "marketing", "finance", "web", "logistics", "support", "inventory", "billing")
ENTITIES = (
    "orders",
    "payments",
    "customers",
    "sessions",
    "shipments",
    "invoices",
    "tickets",
    "refunds",
)
#: the columns every model outputs
CORE = ("id", "customer_id", "amount", "quantity", "status", "channel", "updated_at", "event_date")
SOURCE_COLUMNS = (
    ("id", "bigint"),
    ("customer_id", "bigint"),
    ("amount_cents", "bigint"),
    ("quantity", "int"),
    ("status", "string"),
    ("channel", "string"),
    ("email", "string"),
    ("tags", "array<string>"),
    ("payload", "string"),
    ("created_at", "timestamp"),
    ("updated_at", "timestamp"),
)
#: share of the models at each depth of the DAG: (level, kind, share)
LEVELS = (
    (1, "stg", 0.25),
    (2, "int", 0.15),
    (3, "int", 0.12),
    (4, "int", 0.10),
    (5, "dim", 0.13),
    (6, "fct", 0.13),
    (7, "fct", 0.07),
    (8, "rpt", 0.05),
)

MACROS = {
    "cents_to_dollars.sql": """\
{#- An integer amount in cents as a decimal amount in dollars. -#}
{% macro cents_to_dollars(column_name, precision=2) -%}
    cast({{ column_name }} / 100.0 as decimal(18, {{ precision }}))
{%- endmacro %}
""",
    "amount_band.sql": """\
{#- A size band of an amount column, as a CASE expression. -#}
{% macro amount_band(column_name, large=1000, medium=100) -%}
    case
        when {{ column_name }} >= {{ large }} then 'large'
        when {{ column_name }} >= {{ medium }} then 'medium'
        else 'small'
    end
{%- endmacro %}
""",
}


@dataclass
class Model:
    index: int
    name: str
    kind: str  # stg | int | dim | fct | rpt
    level: int
    domain: str
    parents: list[str] = field(default_factory=list)
    materialized: str = ""  # "" = the folder default
    sql: str = ""

    @property
    def folder(self) -> str:
        layer = {"stg": "staging", "int": "intermediate"}.get(self.kind, "marts")
        return f"models/{layer}/{self.domain}"


def _counts(models: int) -> list[tuple[int, str, int]]:
    """How many models at each level: at least one per level, ``models`` in all."""
    counts = [max(1, int(models * share)) for _, _, share in LEVELS]
    counts[0] += models - sum(counts)  # staging takes the rounding
    if counts[0] < 1:
        raise ValueError(f"a project needs at least {len(LEVELS)} models, not {models}")
    return [(level, kind, n) for (level, kind, _), n in zip(LEVELS, counts)]


def _staging(m: Model, source: tuple[str, str], rnd: random.Random) -> str:
    variant = m.index % 4
    extras = [
        ["date_format(created_at, 'yyyy-MM') as event_month", "size(tags) as tag_count"],
        [
            "regexp_extract(email, '@(.+)$', 1) as email_domain",
            "datediff(updated_at, created_at) as age_days",
        ],
        ["get_json_object(payload, '$.device') as device", "nvl(size(tags), 0) as tag_count"],
        [
            "upper(substr(email, 1, 1)) as email_initial",
            "date_format(updated_at, 'yyyy-MM-dd HH') as update_hour",
        ],
    ][variant]
    amount = (
        "{{ cents_to_dollars('amount_cents') }}"
        if variant != 3
        else "cast(nvl(amount_cents, 0) as decimal(18, 2)) / 100"
    )
    cols = ",\n        ".join(
        [
            "cast(id as bigint) as id",
            "cast(customer_id as bigint) as customer_id",
            f"{amount} as amount",
            "cast(nvl(quantity, 0) as bigint) as quantity",
            "lower(trim(coalesce(status, 'unknown'))) as status",
            "coalesce(channel, '{{ var(\"default_channel\") }}') as channel",
            "updated_at",
            "to_date(created_at) as event_date",
            *extras,
        ]
    )
    where = (
        "id is not null"
        if rnd.random() < 0.7
        else "id is not null and status != '{{ var(\"excluded_status\") }}'"
    )
    return f"""\
-- staging: typed, cleaned {source[1]} of {source[0]}
with source as (

    select * from {{{{ source('{source[0]}', '{source[1]}') }}}}

),

renamed as (

    select
        {cols}
    from source
    where {where}

)

select * from renamed
"""


def _imports(parents: list[str]) -> str:
    """dbt-style import CTEs, one per parent, named p0, p1..."""
    return ",\n\n".join(
        f"p{i} as (\n\n    select * from {{{{ ref('{p}') }}}}\n\n)" for i, p in enumerate(parents)
    )


def _join(m: Model) -> str:
    others = m.parents[1:]
    joins = "\n".join(
        f"left join p{i} on p0.customer_id = p{i}.customer_id" for i in range(1, len(m.parents))
    )
    amount = " + ".join(
        ["p0.amount", *(f"coalesce(p{i}.amount, 0)" for i in range(1, len(m.parents)))]
    )
    return f"""\
with {_imports(m.parents)}

select
    p0.id,
    p0.customer_id,
    {amount} as amount,
    p0.quantity,
    p0.status,
    coalesce(p0.channel, p1.channel) as channel,
    p0.updated_at,
    p0.event_date,
    datediff(p0.event_date, p1.event_date) as days_apart,
    case when p1.id is null then 'unmatched' else 'matched' end as match_status,
    nvl(p{len(others)}.quantity, 0) as other_quantity
from p0
{joins}
"""


def _aggregate(m: Model) -> str:
    return f"""\
select
    customer_id as id,
    customer_id,
    sum(amount) as amount,
    sum(quantity) as quantity,
    max(status) as status,
    max(channel) as channel,
    max(updated_at) as updated_at,
    max(event_date) as event_date,
    count(*) as row_count,
    datediff(max(event_date), min(event_date)) as active_days,
    count(distinct channel) as channel_count,
    avg(amount) as avg_amount
from {{{{ ref('{m.parents[0]}') }}}}
where status != '{{{{ var("excluded_status") }}}}'
group by customer_id
"""


def _dedupe(m: Model) -> str:
    return f"""\
with ranked as (

    select
        *,
        row_number() over (partition by id order by updated_at desc) as rn
    from {{{{ ref('{m.parents[0]}') }}}}

)

select {", ".join(CORE)}
from ranked
where rn = 1
"""


def _enrich(m: Model) -> str:
    return f"""\
select
    id,
    customer_id,
    round(amount * {{{{ var('fx_rate') }}}}, 2) as amount,
    quantity,
    status,
    channel,
    updated_at,
    event_date,
    {{{{ amount_band('amount') }}}} as amount_band,
    date_add(event_date, {{{{ var('grace_days') }}}}) as due_date,
    concat_ws('-', channel, status) as channel_status,
    date_format(updated_at, 'yyyy-MM') as update_month,
    nvl(quantity, 0) * 2 as double_quantity
from {{{{ ref('{m.parents[0]}') }}}}
where amount > 0
"""


def _incremental_filter(alias: str) -> str:
    return f"""
{{% if is_incremental() %}}
where {alias}.updated_at > (select max(updated_at) from {{{{ this }}}})
{{% endif %}}
"""


def _dim(m: Model) -> str:
    config = (
        "{{ config(materialized='incremental', unique_key='id') }}\n\n"
        if m.materialized == "incremental"
        else ""
    )
    body = f"""\
{config}with {_imports(m.parents)},

groups as (

    select * from {{{{ ref('channel_groups') }}}}

)

select
    p0.id,
    p0.customer_id,
    p0.amount,
    p0.quantity,
    p0.status,
    p0.channel,
    p0.updated_at,
    p0.event_date,
    coalesce(groups.channel_group, 'other') as channel_group,
    {{{{ amount_band('p0.amount') }}}} as tier,
    nvl(p1.amount, 0) as related_amount,
    date_format(p0.event_date, 'yyyy') as event_year
from p0
left join p1 on p0.id = p1.id
left join groups on p0.channel = groups.channel
"""
    return body + (_incremental_filter("p0") if m.materialized == "incremental" else "")


def _fact(m: Model) -> str:
    config = (
        "{{ config(materialized='incremental', unique_key='id') }}\n\n"
        if m.materialized == "incremental"
        else ""
    )
    if m.level == 6:
        body = f"""\
{config}with {_imports(m.parents)}

select
    p0.id,
    p0.customer_id,
    p0.amount,
    p0.quantity,
    p0.status,
    p0.channel,
    p0.updated_at,
    p0.event_date,
    p1.amount as customer_amount,
    round(p0.amount / nullif(p0.quantity, 0), 2) as unit_price,
    case when p0.status in ('returned', 'refunded') then 1 else 0 end as is_returned,
    date_add(p0.event_date, {{{{ var('grace_days') }}}}) as return_deadline
from p0
join p1 on p0.customer_id = p1.customer_id
"""
        return body + (_incremental_filter("p0") if m.materialized == "incremental" else "")
    return f"""\
{config}select
    customer_id as id,
    customer_id,
    sum(amount) as amount,
    sum(quantity) as quantity,
    max(status) as status,
    max(channel) as channel,
    max(updated_at) as updated_at,
    max(event_date) as event_date,
    count(*) as orders,
    sum(is_returned) as returns,
    min(event_date) as first_event_date
from {{{{ ref('{m.parents[0]}') }}}}
group by customer_id
"""


def _report(m: Model) -> str:
    return f"""\
{{{{ config(materialized='view') }}}}

with {_imports(m.parents)}

select
    p0.event_date,
    p0.channel,
    count(*) as customers,
    sum(p0.amount) as revenue,
    avg(p0.amount) as avg_revenue,
    sum(p0.orders) as orders,
    max(p1.amount) as top_dimension_amount
from p0
left join p1 on p0.customer_id = p1.customer_id
group by p0.event_date, p0.channel
"""


def _plan(models: int, rnd: random.Random) -> tuple[list[Model], list[tuple[str, str, bool]]]:
    """The models (in DAG order) and the source tables (source name, table, has loaded_at)."""
    n_sources = max(3, models // 20)
    sources = [
        (
            f"raw_{DOMAINS[i % len(DOMAINS)]}",
            f"{ENTITIES[(i // len(DOMAINS)) % len(ENTITIES)]}_{i:04d}",
            i % 2 == 0,
        )
        for i in range(n_sources)
    ]
    by_level: dict[int, list[Model]] = {}
    plan: list[Model] = []
    for level, kind, count in _counts(models):
        for _ in range(count):
            i = len(plan)
            domain = DOMAINS[rnd.randrange(len(DOMAINS))]
            m = Model(i, f"{kind}_{domain}_{i:05d}", kind, level, domain)
            before = [x for lv in range(1, level) for x in by_level.get(lv, [])]
            previous = by_level.get(level - 1, [])
            if kind == "int":
                variant = ("join", "aggregate", "dedupe", "enrich")[i % 4]
                m.materialized = "ephemeral" if i % 17 == 0 else ""
                n_parents = rnd.choice((2, 2, 3)) if variant == "join" else 1
            elif kind in ("dim", "fct"):
                variant = kind
                m.materialized = "incremental" if i % 3 == 0 else ""
                n_parents = 2 if level != 7 else 1
            elif kind == "rpt":
                variant = "rpt"
                n_parents = 2
            else:
                variant = "stg"
                n_parents = 0
            if n_parents:
                first = rnd.choice(previous)  # one parent on the level above: depth
                m.parents = [first.name]
                pool = [x for x in before if x.name != first.name and x.materialized != "ephemeral"]
                if kind == "rpt":  # report views read a fact and a dimension
                    pool = [x for x in before if x.kind == "dim"]
                if kind == "fct" and level == 6:  # facts join a dimension-level model
                    pool = [x for x in before if x.kind in ("int", "dim") and x.level >= 3]
                while len(m.parents) < n_parents and pool:
                    other = rnd.choice(pool)
                    if other.name not in m.parents:
                        m.parents.append(other.name)
                    pool = [x for x in pool if x.name not in m.parents]
                if (
                    len(m.parents) < n_parents
                ):  # nothing else to read: fall back to a 1-parent model
                    variant = "enrich" if kind == "int" else variant
            m.sql = {
                "stg": lambda m=m: _staging(m, sources[m.index % len(sources)][:2], rnd),
                "join": lambda m=m: _join(m) if len(m.parents) > 1 else _enrich(m),
                "aggregate": lambda m=m: _aggregate(m),
                "dedupe": lambda m=m: _dedupe(m),
                "enrich": lambda m=m: _enrich(m),
                "dim": lambda m=m: _dim(m) if len(m.parents) > 1 else _enrich(m),
                "fct": lambda m=m: _fact(m) if len(m.parents) > 1 or m.level == 7 else _enrich(m),
                "rpt": lambda m=m: _report(m) if len(m.parents) > 1 else _enrich(m),
            }[variant]()
            if m.materialized == "ephemeral":
                m.sql = "{{ config(materialized='ephemeral') }}\n\n" + m.sql
            by_level.setdefault(level, []).append(m)
            plan.append(m)
    return plan, sources


def _sources_yml(sources: list[tuple[str, str, bool]]) -> str:
    out = ["version: 2", "", "sources:"]
    for source_name in dict.fromkeys(s for s, _, _ in sources):
        out += [f"  - name: {source_name}", f"    schema: {source_name}", "    tables:"]
        for _, table, loaded in (s for s in sources if s[0] == source_name):
            out.append(f"      - name: {table}")
            if loaded:
                out.append("        loaded_at_field: updated_at")
            out.append("        columns:")
            for column, data_type in SOURCE_COLUMNS:
                out += [f"          - name: {column}", f"            data_type: {data_type}"]
    return "\n".join(out) + "\n"


def _schema_yml(models: list[Model]) -> str:
    out = ["version: 2", "", "models:"]
    for m in models:
        out += [f"  - name: {m.name}", f"    description: synthetic {m.kind} model {m.index}"]
        if m.kind == "rpt":
            continue
        out += [
            "    columns:",
            "      - name: id",
            "        data_tests: [unique, not_null]",
            "      - name: customer_id",
            "        data_tests: [not_null]",
        ]
    return "\n".join(out) + "\n"


DBT_PROJECT = f"""\
name: {PROJECT}
version: "1.0.0"
config-version: 2
profile: {PROJECT}

model-paths: ["models"]
seed-paths: ["seeds"]
macro-paths: ["macros"]

vars:
  default_channel: web
  excluded_status: test
  fx_rate: 1.0
  grace_days: 30

models:
  {PROJECT}:
    staging:
      +materialized: view
    intermediate:
      +materialized: table
    marts:
      +materialized: table

seeds:
  {PROJECT}:
    channel_groups:
      +column_types:
        channel: string
        channel_group: string
"""
SEED = (
    "channel,channel_group\nweb,online\napp,online\nstore,offline\nphone,offline\npartner,partner\n"
)


def generate_project(root: Path, models: int, seed: int = 0) -> Path:
    """Write a synthetic dbt project of ``models`` models into ``root`` (replaced if it
    exists) and return ``root``.  The same arguments always give the same files."""
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    rnd = random.Random(seed)
    plan, sources = _plan(models, rnd)
    (root / "macros").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(DBT_PROJECT)
    for name, text in MACROS.items():
        (root / "macros" / name).write_text(text)
    (root / "seeds" / "channel_groups.csv").write_text(SEED)
    (root / "models" / "staging").mkdir(parents=True)
    (root / "models" / "staging" / "sources.yml").write_text(_sources_yml(sources))
    folders: dict[str, list[Model]] = {}
    for m in plan:
        folder = root / m.folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{m.name}.sql").write_text(m.sql)
        folders.setdefault(m.folder, []).append(m)
    for folder, members in folders.items():
        (root / folder / "schema.yml").write_text(_schema_yml(members))
    return root


REF = re.compile(r"""\bref\(\s*['"](\w+)['"]\s*\)""")


def refs(sql: str) -> list[str]:
    """The model names a model's SQL refs."""
    return REF.findall(sql)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    generate_project(args.out, args.models, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
