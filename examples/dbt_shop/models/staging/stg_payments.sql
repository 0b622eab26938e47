with source as (

    select * from {{ source('raw', 'raw_payments') }}

)

select
    payment_id,
    order_id,
    lower(method) as payment_method,
    amount_cents,
    {{ cents_to_dollars('amount_cents') }} as amount,
    paid_at
from source
