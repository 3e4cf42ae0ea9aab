-- The newest copy run on the target and how many runs there are in all.
SELECT r.run_id,
       r.started_at,
       r.finished_at,
       r.slot_name,
       r.snapshot,
       r.consistent_point::text AS consistent_point,
       (SELECT count(*) FROM follow.run) AS runs
  FROM follow.run r
 ORDER BY r.run_id DESC
 LIMIT 1;
