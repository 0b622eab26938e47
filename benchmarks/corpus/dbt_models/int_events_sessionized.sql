WITH events AS (
  SELECT
    user_id,
    event_time,
    get_json_object(payload, '$.page') AS page,
    lag(event_time) OVER (PARTITION BY user_id ORDER BY event_time) AS prev_event_time
  FROM raw_web.events
  WHERE event_type IN ('page_view', 'click')
)
SELECT
  user_id,
  event_time,
  page,
  CASE
    WHEN prev_event_time IS NULL
      OR unix_timestamp(event_time) - unix_timestamp(prev_event_time) > 1800 THEN 1
    ELSE 0
  END AS is_new_session
FROM events
