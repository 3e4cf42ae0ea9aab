-- Objects of the given tables ($1: oid[], partitions included) that Follow writes itself or leaves out, as
-- (catalog, oid): pg_restore --list names them the same way.
SELECT 'pg_class'::regclass::oid AS catalog, c.oid, 'table' AS kind
  FROM pg_class c WHERE c.oid = ANY($1)
UNION ALL
SELECT 'pg_class'::regclass::oid, i.indexrelid, 'index'
  FROM pg_index i WHERE i.indrelid = ANY($1)
UNION ALL
SELECT 'pg_constraint'::regclass::oid, con.oid, 'constraint'
  FROM pg_constraint con WHERE con.conrelid = ANY($1)
UNION ALL
SELECT 'pg_attrdef'::regclass::oid, ad.oid, 'default'
  FROM pg_attrdef ad WHERE ad.adrelid = ANY($1)
UNION ALL
-- identity sequences: pg_dump adds the identity with ALTER TABLE, which must run after Follow's CREATE TABLE
SELECT 'pg_class'::regclass::oid, d.objid, 'identity'
  FROM pg_depend d
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
   AND d.refobjid = ANY($1) AND d.deptype = 'i';
