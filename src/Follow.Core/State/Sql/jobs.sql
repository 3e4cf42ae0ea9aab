-- The jobs of one run ($1: run_id) in the order they were planned. The time since a job started is taken on the
-- server's clock, the one started_at was written with.
SELECT j.job_id,
       j.table_name,
       j.part,
       j.parts,
       j.state,
       j.estimated_rows,
       j.rows,
       j.bytes,
       j.started_at,
       extract(epoch FROM j.elapsed)::float8                AS elapsed_seconds,
       extract(epoch FROM clock_timestamp() - j.started_at)::float8 AS since_start_seconds,
       j.error,
       (to_jsonb(j) ->> 'kept_from')::bigint                AS kept_from -- absent from a follow schema made before resumed copies
  FROM follow.job j
 WHERE j.run_id = $1
 ORDER BY j.job_id;
