-- The sentinel's one row. The pause columns through to_jsonb: a sentinel of an older Follow, read by a role that
-- may not add them (follow list progress), has none.
SELECT startpos, endpos, apply, write_lsn, flush_lsn, replay_lsn, done_at,
       (to_jsonb(s) ->> 'pause_lsn')::pg_lsn, (to_jsonb(s) ->> 'held_lsn')::pg_lsn
  FROM follow.sentinel s;
