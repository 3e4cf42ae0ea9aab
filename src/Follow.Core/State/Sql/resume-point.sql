-- Only the latest run counts: a newer copy that was interrupted left its tables half filled.
SELECT (SELECT finished_at IS NOT NULL FROM follow.run ORDER BY run_id DESC LIMIT 1),
       (SELECT done_at IS NOT NULL FROM follow.sentinel);
