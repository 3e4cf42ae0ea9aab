-- A follow schema older than follow.migration: the phase told from the latest run and the sentinel.
SELECT (SELECT slot_name FROM follow.run ORDER BY run_id DESC LIMIT 1),
       (SELECT finished_at IS NOT NULL FROM follow.run ORDER BY run_id DESC LIMIT 1),
       (SELECT replay_lsn IS NOT NULL FROM follow.sentinel),
       (SELECT done_at IS NOT NULL FROM follow.sentinel);
