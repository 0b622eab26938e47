SELECT
  c.customer_id,
  concat_ws(' ', c.first_name, c.last_name) AS full_name,
  c.email,
  c.email_domain,
  c.country,
  co.first_order_date,
  co.most_recent_order_date,
  nvl(co.number_of_orders, 0) AS number_of_orders,
  nvl(co.lifetime_value, 0) AS lifetime_value,
  datediff(co.most_recent_order_date, co.first_order_date) AS active_days,
  size(co.order_dates) AS distinct_order_days,
  CASE
    WHEN co.lifetime_value >= 1000 THEN 'gold'
    WHEN co.lifetime_value >= 100 THEN 'silver'
    ELSE 'bronze'
  END AS tier
FROM stg_customers AS c
LEFT JOIN int_customer_orders AS co ON c.customer_id = co.customer_id
