-- $1: the tables the publication names (quoted, schema-qualified). The positions (from 1) of those the role does not
-- own: CREATE PUBLICATION ... FOR TABLE needs ownership of each (membership in the owning role counts, as
-- PostgreSQL checks it).
SELECT i
  FROM unnest($1::text[]) WITH ORDINALITY AS u (t, i)
 WHERE NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = t::regclass), 'USAGE')
 ORDER BY i;
