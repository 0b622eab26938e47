-- A Spark SQL model: daily revenue per customer, with a few Spark-only functions.
SELECT
  customer_id,
  nvl(region, 'unknown') AS region,
  datediff(current_date(), first_order_date) AS customer_age_days,
  size(tags) AS tag_count,
  tags[0] AS first_tag,
  regexp_extract(email, '@(.*)$') AS email_domain,
  total_cents / 100 AS total_units
FROM orders
WHERE status != "cancelled";
