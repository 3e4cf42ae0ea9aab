-- $1: the tables the copy reads, then the sequences whose values are set on the target (quoted, schema-qualified).
-- The positions (from 1) of those the role may not read.
SELECT i
  FROM unnest($1::text[]) WITH ORDINALITY AS u (r, i)
 WHERE NOT CASE WHEN (SELECT relkind FROM pg_class WHERE oid = r::regclass) = 'S' THEN has_sequence_privilege(r, 'SELECT')
                ELSE has_table_privilege(r, 'SELECT') END
 ORDER BY i;
