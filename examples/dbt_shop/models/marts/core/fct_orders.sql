{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

with orders as (

    select * from {{ ref('stg_orders') }}

),

order_payments as (

    select * from {{ ref('int_order_payments') }}

)

select
    orders.order_id,
    orders.customer_id,
    orders.order_ts,
    orders.order_date,
    orders.status,
    orders.is_cancelled,
    {{ cents_to_dollars('orders.amount_cents') }} as amount,
    coalesce(order_payments.total_paid, 0) as total_paid,
    coalesce(order_payments.payment_count, 0) as payment_count,
    order_payments.last_paid_at
from orders
left join order_payments
    on orders.order_id = order_payments.order_id

{% if is_incremental() %}
where orders.order_ts > (select max(order_ts) from {{ this }})
{% endif %}
