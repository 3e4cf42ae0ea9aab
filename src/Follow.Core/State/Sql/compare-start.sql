-- A by-tenant comparison starts. $1: the pause point (or NULL), $2: the tables to compare.
INSERT INTO follow.compare (id, started_at, lsn, tables, updated_at) VALUES (true, now(), $1, $2, now())
ON CONFLICT (id) DO UPDATE
   SET started_at = now(), lsn = $1, tables = $2, tables_done = 0, tenants_done = 0, updated_at = now(), finished_at = NULL, equal = NULL;
