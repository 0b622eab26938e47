SELECT
  customer_id,
  min(order_date) AS first_order_date,
  max(order_date) AS most_recent_order_date,
  count(order_id) AS number_of_orders,
  sum(total_amount) AS lifetime_value,
  collect_set(order_date) AS order_dates
FROM int_order_payments
GROUP BY customer_id
