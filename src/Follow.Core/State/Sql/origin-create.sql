-- $1: the origin's name.
SELECT pg_catalog.pg_replication_origin_create($1) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = $1);
