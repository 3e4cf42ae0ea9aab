-- $1: the origin's name. The last source commit applied: the origin's progress, or replay_lsn where the origin did
-- not move (Citus).
SELECT greatest(pg_catalog.pg_replication_origin_progress($1, true), (SELECT replay_lsn FROM follow.sentinel));
