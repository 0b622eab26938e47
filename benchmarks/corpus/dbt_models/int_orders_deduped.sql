WITH ranked AS (
  SELECT
    *,
    row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC) AS rn
  FROM stg_orders
)
SELECT order_id, customer_id, status, amount, created_at, order_date, channel, updated_at
FROM ranked
WHERE rn = 1
