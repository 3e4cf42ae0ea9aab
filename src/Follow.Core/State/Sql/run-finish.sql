-- $1: the run whose copy completed; the clone's record reaches copied in the same statement.
WITH finished AS (UPDATE follow.run SET finished_at = now() WHERE run_id = $1 RETURNING run_id)
UPDATE follow.migration SET phase = 'copied' WHERE phase = 'copying' AND EXISTS (SELECT 1 FROM finished);
