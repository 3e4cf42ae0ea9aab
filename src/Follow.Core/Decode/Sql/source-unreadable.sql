-- $1: the tables the copy reads, $2: the sequences whose values are set on the target (quoted, schema-qualified).
-- Those the role may not read.
SELECT t FROM unnest($1::text[]) t WHERE NOT has_table_privilege(t, 'SELECT')
UNION ALL
SELECT s FROM unnest($2::text[]) s WHERE NOT has_sequence_privilege(s, 'SELECT')
ORDER BY 1;
