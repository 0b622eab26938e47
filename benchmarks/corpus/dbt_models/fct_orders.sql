SELECT
  o.order_id,
  o.customer_id,
  o.order_date,
  o.status,
  o.channel,
  op.credit_card_amount,
  op.coupon_amount,
  op.total_amount,
  date_add(o.order_date, 30) AS return_deadline,
  add_months(o.order_date, 12) AS warranty_end,
  date_trunc('month', o.created_at) AS order_month,
  CASE WHEN o.status = 'returned' THEN 1 ELSE 0 END AS is_returned
FROM int_orders_deduped AS o
JOIN int_order_payments AS op ON o.order_id = op.order_id
