-- The sentinel's one row.
SELECT startpos, endpos, apply, write_lsn, flush_lsn, replay_lsn, done_at FROM follow.sentinel;
