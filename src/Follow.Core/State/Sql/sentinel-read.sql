-- The sentinel's one row.
SELECT startpos, endpos, apply, write_lsn, flush_lsn, replay_lsn, done_at, pause_lsn, held_lsn FROM follow.sentinel;
