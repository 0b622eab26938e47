SELECT
  order_date,
  channel,
  count(*) AS orders,
  sum(total_amount) AS revenue,
  avg(total_amount) AS avg_order_value,
  percentile_approx(total_amount, 0.5) AS median_order_value
FROM fct_orders
WHERE status NOT IN ('cancelled', 'test')
GROUP BY order_date, channel
