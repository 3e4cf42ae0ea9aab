-- $1: the tables the publication names (quoted, schema-qualified). Those the role does not own: CREATE PUBLICATION
-- ... FOR TABLE needs ownership of each (membership in the owning role counts, as PostgreSQL checks it).
SELECT t
  FROM unnest($1::text[]) t
 WHERE NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = t::regclass), 'USAGE')
 ORDER BY 1;
