SELECT
  CAST(id AS BIGINT) AS payment_id,
  CAST(order_id AS BIGINT) AS order_id,
  payment_method,
  CASE WHEN status = 'success' THEN amount / 100 ELSE 0 END AS amount,
  created_at
FROM raw_shop.payments
WHERE status != 'test'
