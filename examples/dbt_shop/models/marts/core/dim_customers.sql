with customers as (

    select * from {{ ref('stg_customers') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

customer_orders as (

    select * from {{ ref('int_customer_orders') }}

)

select
    {{ dbt_utils.generate_surrogate_key(['customers.customer_id']) }} as customer_key,
    customers.customer_id,
    customers.full_name,
    customers.email,
    customers.country_code,
    countries.name as country_name,
    coalesce(customer_orders.order_count, 0) as order_count,
    cast(coalesce(customer_orders.lifetime_value, 0) as decimal(18, 2)) as lifetime_value,
    customer_orders.first_order_ts,
    customer_orders.last_order_ts
from customers
left join countries
    on customers.country_code = countries.code
left join customer_orders
    on customers.customer_id = customer_orders.customer_id
