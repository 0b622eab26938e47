with source as (

    select * from {{ source('raw', 'raw_orders') }}

)

select
    order_id,
    customer_id,
    order_ts,
    cast(order_ts as date) as order_date,
    lower(status) as status,
    lower(status) = '{{ var("cancelled_status", "cancelled") }}' as is_cancelled,
    amount_cents
from source
