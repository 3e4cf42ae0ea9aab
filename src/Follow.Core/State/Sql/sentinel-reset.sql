-- A new clone: no start, end or progress of an earlier stream.
UPDATE follow.sentinel SET startpos = NULL, endpos = NULL, write_lsn = NULL, flush_lsn = NULL, replay_lsn = NULL, done_at = NULL;
