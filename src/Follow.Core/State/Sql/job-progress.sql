-- $1 job, $2 state, $3 rows, $4 bytes, $5 elapsed, $6 error: a job's progress as it goes.
UPDATE follow.job
   SET state = $2, rows = $3, bytes = $4, elapsed = $5, error = $6,
       started_at = coalesce(started_at, now())
 WHERE job_id = $1;
