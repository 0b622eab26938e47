SELECT
  o.order_id,
  o.customer_id,
  o.order_date,
  sum(CASE WHEN p.payment_method = 'credit_card' THEN p.amount ELSE 0 END) AS credit_card_amount,
  sum(CASE WHEN p.payment_method = 'coupon' THEN p.amount ELSE 0 END) AS coupon_amount,
  sum(p.amount) AS total_amount,
  count(DISTINCT p.payment_id) AS payment_count
FROM int_orders_deduped AS o
LEFT JOIN stg_payments AS p ON o.order_id = p.order_id
GROUP BY o.order_id, o.customer_id, o.order_date
