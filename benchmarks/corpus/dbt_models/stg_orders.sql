-- sources/shop/stg_orders: typed, cleaned orders
SELECT
  CAST(id AS BIGINT) AS order_id,
  CAST(customer_id AS BIGINT) AS customer_id,
  lower(trim(status)) AS status,
  CAST(amount_cents AS DECIMAL(18, 2)) / 100 AS amount,
  to_timestamp(created_at) AS created_at,
  to_date(created_at) AS order_date,
  nvl(channel, 'web') AS channel,
  updated_at
FROM raw_shop.orders
WHERE id IS NOT NULL
