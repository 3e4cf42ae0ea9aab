-- The latest run's tables: whether every part completed (or was kept), the run whose rows the table holds, and the
-- LSN those rows are consistent with (that run's consistent point); with the run, its slot and where its stream starts.
SELECT j.table_name,
       bool_and(j.state = 'completed')            AS completed,
       min(coalesce(j.kept_from, j.run_id))         AS copied_in,
       (SELECT r.consistent_point FROM follow.run r WHERE r.run_id = min(coalesce(j.kept_from, j.run_id))) AS lsn,
       sum(j.rows)::bigint                          AS rows,
       l.run_id, l.slot_name, l.stream_from, l.finished_at IS NOT NULL AS finished
  FROM (SELECT run_id, slot_name, coalesce(stream_from, consistent_point) AS stream_from, finished_at
          FROM follow.run ORDER BY run_id DESC LIMIT 1) l
  JOIN follow.job j ON j.run_id = l.run_id
 GROUP BY j.table_name, l.run_id, l.slot_name, l.stream_from, l.finished_at;
