-- Tables and partitioned tables of the user schemas.
SELECT c.oid,
       n.nspname,
       c.relname,
       c.relkind::text AS relkind,
       c.relreplident::text AS relreplident,
       ri.relname AS replica_identity_index,
       pn.nspname AS parent_schema,
       p.relname AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       c.relpersistence = 'u' AS unlogged,
       c.reltuples::float8 AS reltuples,
       pg_table_size(c.oid) AS size_bytes,
       -- storage parameters (fillfactor, autovacuum_*), the TOAST table's with their "toast." prefix
       coalesce(c.reloptions, '{}') || coalesce((SELECT array_agg('toast.' || o) FROM unnest(tc.reloptions) o), '{}') AS reloptions
  FROM pg_class c
  LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_index rii ON rii.indrelid = c.oid AND rii.indisreplident
  LEFT JOIN pg_class ri ON ri.oid = rii.indexrelid
  LEFT JOIN pg_inherits inh ON c.relispartition AND inh.inhrelid = c.oid
  LEFT JOIN pg_class p ON p.oid = inh.inhparent
  LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'follow')  -- follow: Follow's own state, never moved
   AND n.nspname !~ '^pg_(toast|temp)'
   -- an extension's own tables come back with CREATE EXTENSION on the target
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY n.nspname, c.relname;
