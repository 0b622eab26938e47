SELECT
  CAST(id AS BIGINT) AS customer_id,
  initcap(first_name) AS first_name,
  initcap(last_name) AS last_name,
  lower(email) AS email,
  regexp_extract(email, '@(.+)$', 1) AS email_domain,
  coalesce(country, 'unknown') AS country,
  to_date(signup_date) AS signup_date,
  updated_at
FROM raw_shop.customers
