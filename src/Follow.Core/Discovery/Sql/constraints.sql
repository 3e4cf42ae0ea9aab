-- Primary key, unique, exclusion, foreign key and check constraints of the given tables ($1: oid[]).
SELECT con.conrelid,
       con.conname,
       con.contype::text AS contype,
       ARRAY(SELECT a.attname
               FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
              ORDER BY k.ord) AS columns,
       fn.nspname AS ref_schema,
       fc.relname AS ref_table,
       ARRAY(SELECT a.attname
               FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
              ORDER BY k.ord) AS ref_columns,
       con.confupdtype::text AS on_update,
       con.confdeltype::text AS on_delete,
       con.confmatchtype::text AS match_type,
       con.condeferrable,
       con.condeferred,
       pg_get_constraintdef(con.oid) AS definition,
       ic.relname AS index_name,
       con.conparentid <> 0 AS inherited,
       con.convalidated
  FROM pg_constraint con
  LEFT JOIN pg_class fc ON fc.oid = con.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  LEFT JOIN pg_class ic ON ic.oid = con.conindid
 WHERE con.conrelid = ANY($1)
   AND con.contype IN ('p', 'u', 'x', 'f', 'c')
   -- a partition's copies of its parent's foreign keys, and the per-partition rows of a key that references a
   -- partitioned table, are created with the parent's key
   AND NOT (con.contype = 'f' AND con.conparentid <> 0)
   -- inherited checks come with the parent
   AND NOT (con.contype = 'c' AND NOT con.conislocal)
 ORDER BY con.conrelid, con.conname;
