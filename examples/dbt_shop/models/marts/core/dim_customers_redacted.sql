{{ config(materialized='view') }}

-- The customer list without PII: every stg_customers column except email.
select
    {{ dbt_utils.star(from=ref('stg_customers'), except=['email']) }}
from {{ ref('stg_customers') }}
