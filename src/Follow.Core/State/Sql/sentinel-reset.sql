-- A new clone: no start or progress of an earlier stream. $1: whether endpos stays, as it does unless the clone
-- replaces a finished one (an operator's cutover set while a clone is unfinished belongs to that clone).
UPDATE follow.sentinel
   SET startpos = NULL, endpos = CASE WHEN $1 THEN endpos END, write_lsn = NULL, flush_lsn = NULL, replay_lsn = NULL,
       done_at = NULL, pause_lsn = NULL, held_lsn = NULL;
