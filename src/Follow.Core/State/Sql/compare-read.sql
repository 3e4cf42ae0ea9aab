-- The last by-tenant comparison, with the seconds it has run (to its end, or until now).
SELECT started_at, lsn, tables, tables_done, tenants_done, finished_at, equal,
       extract(epoch FROM coalesce(finished_at, now()) - started_at)::float8
  FROM follow.compare;
