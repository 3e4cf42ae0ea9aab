-- What Follow may do on the target, asked of PostgreSQL's privilege functions rather than read from role attributes:
-- CREATE on the database (Follow's schema, the moved tables), and where the replication origin functions can be
-- called: pg_catalog's (revoked from PUBLIC: a superuser or a grant), else the SECURITY DEFINER wrappers in public
-- that Azure's managed Citus grants its citus role; NULL where neither.
WITH needed (f) AS (
    VALUES ('pg_replication_origin_create(text)'),
           ('pg_replication_origin_drop(text)'),
           ('pg_replication_origin_session_setup(text)'),
           ('pg_replication_origin_xact_setup(pg_lsn, timestamp with time zone)'),
           ('pg_replication_origin_progress(text, boolean)')
), places (schema, rank) AS (
    VALUES ('pg_catalog', 1), ('public', 2)
)
SELECT current_user,
       current_database(),
       has_database_privilege(current_database(), 'CREATE'),
       (SELECT p.schema
          FROM places p
         WHERE (SELECT bool_and(coalesce(has_function_privilege(to_regprocedure(p.schema || '.' || n.f), 'EXECUTE'), false))
                  FROM needed n)
         ORDER BY p.rank
         LIMIT 1);
