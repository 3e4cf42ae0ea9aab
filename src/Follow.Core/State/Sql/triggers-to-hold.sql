-- $1: the moved tables (regclass text). Their triggers that fire now, apart from the internal ones (foreign keys,
-- Citus' own truncate trigger): the source fired them already, so they must not fire again while Follow writes.
-- The table's name comes schema-qualified and quoted, for ALTER TABLE.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), t.tgname
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE t.tgrelid = ANY ($1::text[]::regclass[])
   AND NOT t.tgisinternal
   AND t.tgenabled <> 'D'
 ORDER BY 1, 2;
