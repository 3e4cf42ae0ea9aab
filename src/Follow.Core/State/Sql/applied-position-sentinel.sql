-- The last source commit applied, where no replication origin is kept: replay_lsn, written in the same target
-- transaction as the changes it covers.
SELECT replay_lsn FROM follow.sentinel;
