with source as (

    select * from {{ source('raw', 'raw_customers') }}

),

renamed as (

    select
        customer_id,
        first_name,
        last_name,
        first_name || ' ' || last_name as full_name,
        nullif(lower(trim(coalesce(email, ''))), '') as email,
        upper(coalesce(country, 'XX')) as country_code,
        updated_at
    from source

)

select * from renamed
