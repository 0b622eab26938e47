"""The SQL of each kind of model of the synthetic dbt project (``project_gen.py``): staging
views over a source, intermediate joins / aggregates / deduplications / enrichments of earlier
models, dimensions, facts (incremental ones with an ``{% if is_incremental() %}`` filter) and
report views.  Every model outputs the core columns (``CORE``), so any model can read any
earlier one."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: the columns every model outputs
CORE = ("id", "customer_id", "amount", "quantity", "status", "channel", "updated_at", "event_date")


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


def staging_sql(m: Model, source: tuple[str, str], rnd: random.Random) -> str:
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


def join_sql(m: Model) -> str:
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


def aggregate_sql(m: Model) -> str:
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


def dedupe_sql(m: Model) -> str:
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


def enrich_sql(m: Model) -> str:
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


def dim_sql(m: Model) -> str:
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


def fact_sql(m: Model) -> str:
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


def report_sql(m: Model) -> str:
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
