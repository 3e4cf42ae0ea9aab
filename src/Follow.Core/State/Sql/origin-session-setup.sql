-- $1: the origin's name; this session's transactions record their source commit with it.
SELECT pg_catalog.pg_replication_origin_session_setup($1);
