{{ config(materialized='ephemeral') }}

-- Payments rolled up per order; ephemeral, so dbt inlines it as a CTE in its consumers.
select
    order_id,
    sum(amount) as total_paid,
    count(*) as payment_count,
    max(paid_at) as last_paid_at
from {{ ref('stg_payments') }}
group by order_id
