with orders as (

    select * from {{ ref('stg_orders') }}

),

order_payments as (

    select * from {{ ref('int_order_payments') }}

)

select
    orders.customer_id,
    count(*) as order_count,
    count(*) filter (where not orders.is_cancelled) as active_order_count,
    sum(coalesce(order_payments.total_paid, 0)) as lifetime_value,
    min(orders.order_ts) as first_order_ts,
    max(orders.order_ts) as last_order_ts,
    max(order_payments.last_paid_at) as last_paid_at
from orders
left join order_payments
    on orders.order_id = order_payments.order_id
group by orders.customer_id
