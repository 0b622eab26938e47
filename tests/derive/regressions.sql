-- Every case the differential test (or issue 14) ever found, minimized; run as explicit
-- examples by test_changelog_differential.py.  Catalog: a, b append (ts watermarked), u upsert (PK id).

-- issue 14: a QUALIFY dedup keep-last got an append sink
SELECT id, k, ts FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) = 1;
-- issue 14: NOT EXISTS was called append
SELECT id, k FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.id = a.id);
-- issue 14: a Top-N sink was keyed on the partition only (the key is partition + rownum)
SELECT id, k, rn FROM (SELECT id, k, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM a) WHERE rn <= 3;
-- issue 14: a CTE dedup feeding a projection was treated as insert-only
WITH d AS (SELECT * FROM a QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) = 1) SELECT id, v FROM d;
-- a semi join is a regular join: the left time attribute is materialized (no interval join after it)
SELECT q.id, r.k FROM (SELECT * FROM a WHERE EXISTS (SELECT 1 FROM a AS s WHERE s.k = a.k)) AS q FULL JOIN a AS r ON q.k = r.k AND r.ts BETWEEN q.ts - INTERVAL '1' MINUTE AND q.ts + INTERVAL '1' MINUTE LIMIT 5;
-- a SESSION window with PARTITION BY k aggregated without k: a regular (updating) aggregation
SELECT w.window_start, w.window_end, COUNT(*) AS cnt FROM TABLE(SESSION(TABLE b PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w GROUP BY w.window_start, w.window_end;
-- a global Top-N (no partition) keeps no input key
SELECT l.id, d.v FROM (SELECT id, ts FROM (SELECT id, ts, ROW_NUMBER() OVER (ORDER BY s) AS rn FROM (SELECT id, s, ts FROM (SELECT id, s, ts, ROW_NUMBER() OVER (ORDER BY ts) AS rn FROM u) WHERE rn = 1)) WHERE rn < 2) AS l LEFT JOIN u FOR SYSTEM_TIME AS OF l.ts AS d ON l.id = d.id;
-- DISTINCT over a global aggregate: Flink removes the aggregation, no upsert key
SELECT DISTINCT cnt, mx FROM (SELECT COUNT(*) AS cnt, MAX(id) AS mx FROM a);
SELECT DISTINCT cnt FROM (SELECT cnt, COUNT(*) AS c2 FROM (SELECT COUNT(*) AS cnt FROM b) GROUP BY cnt HAVING COUNT(*) > 1);
-- a window TVF over an upsert source keeps no key
SELECT w.id, w.k, w.window_start, w.window_end, w.window_time FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w;
-- IN over a temporal join result: planned as a join with the distinct right side (updating)
SELECT q.id FROM (SELECT l.id, l.v, d.v AS d_v FROM b AS l LEFT JOIN u FOR SYSTEM_TIME AS OF l.ts AS d ON l.id = d.id) AS q WHERE q.v IN (SELECT v FROM a);
-- NOT IN is null-aware (no equi condition): no key survives
SELECT q.window_start, q.id, q.cnt FROM (SELECT window_start, window_end, id, COUNT(*) AS cnt FROM TABLE(CUMULATE(TABLE u, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)) GROUP BY window_start, window_end, id) AS q WHERE q.id NOT IN (SELECT id FROM u);
-- DISTINCT over an upsert source is keyed on the DISTINCT columns, not on the source key
SELECT DISTINCT k, id FROM u;
-- DISTINCT over a global Top-1 (one row): no upsert key
SELECT DISTINCT rn FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY ts DESC) AS rn FROM u QUALIFY rn = 1);
-- INTERSECT with a single-row left side: no upsert key
SELECT cnt FROM (SELECT COUNT(*) AS cnt FROM b) INTERSECT SELECT cnt FROM (SELECT window_start, window_end, COUNT(*) AS cnt FROM TABLE(HOP(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '2' MINUTE)) GROUP BY window_start, window_end);
-- a window aggregation has no upsert key for a regular join to combine
SELECT l.window_start, l.id, l.cnt, r.k FROM (SELECT window_start, window_end, id, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, id) AS l JOIN u AS r ON l.id = r.id;
-- an OVER aggregation over a semi-join result (not ordered by a time attribute any more)
SELECT id, ts, SUM(v) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run_v FROM (SELECT * FROM b WHERE EXISTS (SELECT 1 FROM a WHERE a.id = b.id));
-- a join with a global Top-1 (one row, but Flink derives no key for it) keeps no key of the other side
SELECT l.id, r.k FROM (SELECT id, k FROM a QUALIFY ROW_NUMBER() OVER (ORDER BY id) = 1) AS l JOIN (SELECT k, COUNT(*) AS cnt FROM u GROUP BY k) AS r ON l.k = r.k;
-- a Top-N of a single row (a global aggregate) is still one row: DISTINCT over it has no key
SELECT DISTINCT cnt FROM (SELECT cnt, ROW_NUMBER() OVER (PARTITION BY cnt ORDER BY mx) AS rn FROM (SELECT COUNT(*) AS cnt, MAX(id) AS mx FROM b)) WHERE rn <= 3;
-- a Top-1's row number is the constant 1: Flink drops it from GROUP BY keys (alone: a global aggregate)
SELECT rn, COUNT(*) AS cnt FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY v ORDER BY k DESC) AS rn FROM a) WHERE rn = 1 GROUP BY rn;
SELECT k, rn, COUNT(*) AS cnt FROM (SELECT id, k, ROW_NUMBER() OVER (PARTITION BY v ORDER BY k DESC) AS rn FROM a) WHERE rn = 1 GROUP BY k, rn;
-- a Top-1 (no row number) is keyed on its partition only, not on the input keys containing it
SELECT l.id, l.v, r.k FROM (SELECT id, v FROM (SELECT DISTINCT id, v FROM a) QUALIFY ROW_NUMBER() OVER (PARTITION BY v ORDER BY id DESC) = 1) AS l JOIN u AS r ON l.id = r.id;
-- IN over a subquery with UNNEST (a correlate) is planned as a regular join with its distinct result: updating
SELECT id, v FROM a WHERE id IN (SELECT q.id FROM a AS q CROSS JOIN UNNEST(ARRAY[q.s, 'x']) AS t(e));
-- SL4015: a rank filter pushed into the ranked input it joins (a CTE reference, a subquery)
WITH r AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM a) SELECT b.id, r.k, r.v FROM b JOIN (SELECT * FROM r AS r WHERE r.rn = 1) AS r ON b.k = r.k;
SELECT r.k, r.id, b.s FROM (SELECT * FROM (SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM a) AS r WHERE r.rn <= 2) AS r JOIN b ON b.k = r.k;
WITH r AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM a) SELECT r.k, r.v, u.s FROM (SELECT * FROM r AS r WHERE r.rn = 1) AS r JOIN u ON u.id = r.k;
-- a single rank other than 1 (rn = 2) is a Rank too; Flink projects its row number as a constant, so no key
WITH r AS (SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM b) SELECT r.k, r.v, rn FROM r WHERE rn = 2;
WITH r AS (SELECT id, k, v, ROW_NUMBER() OVER (ORDER BY v DESC) AS rn FROM b) SELECT r.k, r.v, r.rn FROM r WHERE rn = 3 AND v > 3;
WITH r AS (SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM b) SELECT r.k, r.v, r.rn FROM r WHERE rn BETWEEN 2 AND 3;
-- a rank filter over a join applies to the ranked input (Flink pushes it there): the join keeps no key of it
WITH r AS (SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM b) SELECT r.k, r.v FROM r JOIN a ON a.k = r.k WHERE r.rn = 1;
WITH r AS (SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM b) SELECT r.k, r.v, a.id FROM a FULL JOIN r ON a.k = r.k WHERE r.rn = 1;
-- a rank filter in the ON of the ranked input's join is a Top-N too (updating)
WITH r AS (SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) AS rn FROM b) SELECT a.id, r.v FROM a JOIN r ON a.k = r.k AND r.rn = 1;
-- a named window (OVER w, WINDOW w AS (...)) ordered by the event time is an insert-only OVER aggregation
SELECT id, k, SUM(v) OVER w AS s, LAG(v) OVER w AS p FROM a WINDOW w AS (PARTITION BY k ORDER BY ts);
SELECT id, k, SUM(v) OVER w AS s FROM a WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);
-- a scalar subquery outside the WHERE (projection, HAVING) is a join with its result: updating, no key
SELECT a.id, (SELECT MAX(v) FROM b) AS mx FROM a;
SELECT a.id, (SELECT MAX(b.v) FROM b WHERE b.id = a.id) AS mx FROM a;
SELECT u.k, COUNT(*) AS c FROM u GROUP BY u.k HAVING COUNT(*) > (SELECT COUNT(*) FROM b);
-- a LATERAL subquery is decorrelated into a join with its (aggregated) result: updating
SELECT a.id, x.m FROM a, LATERAL (SELECT MAX(b.v) AS m FROM b WHERE b.id = a.id) AS x;
SELECT a.id, x.m FROM a LEFT JOIN LATERAL (SELECT MAX(b.v) AS m FROM b WHERE b.id = a.id) AS x ON TRUE;
-- an uncorrelated EXISTS is a join with an aggregate of the subquery: updating
SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b);
-- INTERSECT / EXCEPT over a left side already unique (an aggregation): the planner drops the DISTINCT, no key
SELECT k, cnt FROM v_agg INTERSECT SELECT k, cnt FROM v_agg;
SELECT window_start, window_end, id, cnt FROM (SELECT window_start, window_end, id, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, id) EXCEPT SELECT window_start, window_end, id, cnt FROM (SELECT window_start, window_end, id, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, id);
-- window_start / window_end after a regular, interval or temporal join, a semi join or a LIMIT are plain
-- columns: grouping or ranking on them is a regular (updating) aggregation / Top-N
SELECT w.window_start, w.window_end, w.id, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w JOIN b ON w.id = b.id GROUP BY w.window_start, w.window_end, w.id;
SELECT w.window_start, w.window_end, w.id, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w JOIN b ON w.id = b.id AND b.ts BETWEEN w.ts - INTERVAL '1' MINUTE AND w.ts + INTERVAL '1' MINUTE GROUP BY w.window_start, w.window_end, w.id;
SELECT w.window_start, w.window_end, w.id, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w JOIN u FOR SYSTEM_TIME AS OF w.ts AS d ON w.id = d.id GROUP BY w.window_start, w.window_end, w.id;
SELECT window_start, window_end, id, COUNT(*) AS c FROM (SELECT * FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w WHERE EXISTS (SELECT 1 FROM b WHERE b.id = w.id)) GROUP BY window_start, window_end, id;
SELECT window_start, window_end, id, COUNT(*) AS c FROM (SELECT * FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) LIMIT 10) GROUP BY window_start, window_end, id;
SELECT DISTINCT w.window_start, w.window_end, w.id FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w JOIN b ON w.id = b.id;
SELECT window_start, window_end, id FROM (SELECT w.window_start, w.window_end, w.id, ROW_NUMBER() OVER (PARTITION BY w.window_start, w.window_end ORDER BY w.v DESC) AS rn FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) AS w JOIN b ON w.id = b.id) WHERE rn <= 3;
SELECT window_start, window_end, SUM(c) AS t FROM (SELECT l.window_start, l.window_end, l.id, l.c FROM (SELECT window_start, window_end, id, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, id) AS l JOIN b ON l.id = b.id) GROUP BY window_start, window_end;
-- after a UNION ALL the planner may keep the window properties (same windows) or not: no key
SELECT window_start, window_end, COUNT(*) AS c FROM (SELECT window_start, window_end, id FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) UNION ALL SELECT window_start, window_end, id FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) GROUP BY window_start, window_end;
-- a DISTINCT over a join: the planner may push it below the join and drop it (cost-based): no key
SELECT DISTINCT l.id, r.s FROM b AS l JOIN (SELECT DISTINCT v_first.id, b.s FROM v_first JOIN b ON v_first.id = b.id) AS r ON l.id = r.id;
-- a filter contradicting a Top-1's constant row number folds to an empty VALUES: no key
SELECT id, k, rn FROM (SELECT id, k, ROW_NUMBER() OVER (ORDER BY k) AS rn FROM b QUALIFY rn = 1) WHERE rn > 1;
-- an uncorrelated EXISTS over an upsert input keeps no key either
SELECT id, k FROM u WHERE EXISTS (SELECT 1 FROM v_proj WHERE v_proj.id > 1);
-- a Top-N over a global Top-1 is still the Top-1's row, which Flink keys on nothing: the join keeps no key
SELECT l.id, l.v, r.k FROM v_proj AS l JOIN (SELECT id, k, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts) AS rn FROM (SELECT id, k, ts FROM a QUALIFY ROW_NUMBER() OVER (ORDER BY ts DESC) = 1)) AS r ON l.id = r.id AND r.rn <= 2;
-- a CTE named after the table it reads (dbt models do it) reads the table, not itself
WITH a AS (SELECT * FROM a) SELECT id, k FROM a;
WITH u AS (SELECT * FROM u) SELECT id, v FROM u;
-- a CTE reads a later CTE's name as the table: the scope of a CTE is the ones before it
WITH x AS (SELECT id, k FROM a), a AS (SELECT id, k FROM u) SELECT id, k FROM x;
