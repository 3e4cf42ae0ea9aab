-- Sequences of the user schemas, with the column that owns them (serial: 'a', identity: 'i').
SELECT n.nspname,
       c.relname,
       format_type(s.seqtypid, NULL) AS data_type,
       ps.last_value,
       own_n.nspname AS owner_schema,
       own.relname AS owner_table,
       a.attname AS owner_column,
       coalesce(d.deptype = 'i', false) AS is_identity
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = c.relname
  LEFT JOIN pg_depend d
         ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  LEFT JOIN pg_class own ON own.oid = d.refobjid
  LEFT JOIN pg_namespace own_n ON own_n.oid = own.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'follow')  -- follow: Follow's own state, never moved
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname;
