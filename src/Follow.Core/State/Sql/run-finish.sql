-- $1: the run whose copy completed.
UPDATE follow.run SET finished_at = now() WHERE run_id = $1;
