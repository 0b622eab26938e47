SELECT
  page,
  date_trunc('day', event_time) AS view_day,
  count(*) AS views,
  count(DISTINCT user_id) AS visitors,
  sum(is_new_session) AS sessions,
  round(count(*) / count(DISTINCT user_id), 2) AS views_per_visitor
FROM int_events_sessionized
WHERE page IS NOT NULL AND page rlike '^/(products|checkout)'
GROUP BY page, date_trunc('day', event_time)
