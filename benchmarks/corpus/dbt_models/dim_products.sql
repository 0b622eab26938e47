SELECT
  CAST(id AS BIGINT) AS product_id,
  trim(name) AS product_name,
  upper(category) AS category,
  split(tags, ',') AS tags,
  length(description) AS description_length,
  CAST(price_cents AS DOUBLE) / 100 AS price,
  date_format(launched_at, 'yyyy-MM') AS launch_month
FROM raw_shop.products
