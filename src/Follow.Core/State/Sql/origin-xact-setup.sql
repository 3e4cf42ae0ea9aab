-- $1: the source commit LSN, $2: its time, recorded with the origin by the open target transaction.
SELECT pg_catalog.pg_replication_origin_xact_setup($1, $2);
