-- $1: the origin's name.
SELECT pg_catalog.pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = $1;
