{{ config(tags=['finance']) }}

select
    date_trunc('day', order_ts) as revenue_day,
    count(*) as order_count,
    sum(amount) as revenue,
    sum(total_paid) as paid
from {{ ref('fct_orders') }}
where status in {{ revenue_statuses() }}
group by date_trunc('day', order_ts)
