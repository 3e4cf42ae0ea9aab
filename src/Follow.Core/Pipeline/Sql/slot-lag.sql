-- The source's WAL position and the slot ($1) as its consumer left it. flush_lag is PostgreSQL's own measure of
-- how long the follower took to confirm WAL it was sent; it is NULL once caught up and idle. restart_lsn is the
-- oldest WAL the slot keeps on the source's disk; wal_status and safe_wal_size say how close max_slot_wal_keep_size
-- is to invalidating the slot (safe_wal_size is NULL when unbounded, as is the setting's size here: -1 in the GUC).
SELECT pg_current_wal_lsn(),
       s.confirmed_flush_lsn,
       s.active,
       extract(epoch FROM r.flush_lag)::float8,
       s.restart_lsn,
       s.wal_status,
       s.safe_wal_size,
       nullif(pg_size_bytes(current_setting('max_slot_wal_keep_size')), -1)
  FROM pg_replication_slots s
  LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
 WHERE s.slot_name = $1
