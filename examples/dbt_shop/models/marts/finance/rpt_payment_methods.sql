{{ config(tags=['finance']) }}

select
    payment_method,
    count(*) as payment_count,
    sum(amount) as total_amount,
    '{{ env_var("SHOP_ENV", "dev") }}' as environment
from {{ ref('stg_payments') }}
group by payment_method
