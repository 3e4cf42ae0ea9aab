-- Indexes of the given tables ($1: oid[]); key columns by name, NULL for an expression.
SELECT i.indrelid,
       ic.relname,
       i.indisunique,
       i.indisprimary,
       ARRAY(SELECT a.attname
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num AND k.num <> 0
              WHERE k.ord <= i.indnkeyatts
              ORDER BY k.ord) AS columns,
       i.indpred IS NOT NULL AS partial,
       con.conname,
       pg_get_indexdef(i.indexrelid) AS definition
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_constraint con
         ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
 WHERE i.indrelid = ANY($1)
   -- a partition's piece of a partitioned index is created with the parent's index
   AND NOT ic.relispartition
 ORDER BY i.indrelid, ic.relname;
