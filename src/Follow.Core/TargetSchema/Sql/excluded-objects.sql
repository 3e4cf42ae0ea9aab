-- Objects that belong to excluded tables ($1: oid[], partitions included): they are not created on the target.
SELECT 'pg_trigger'::regclass::oid AS catalog, t.oid FROM pg_trigger t WHERE t.tgrelid = ANY($1) AND NOT t.tgisinternal
UNION ALL
SELECT 'pg_policy'::regclass::oid, p.oid FROM pg_policy p WHERE p.polrelid = ANY($1)
UNION ALL
SELECT 'pg_rewrite'::regclass::oid, r.oid FROM pg_rewrite r WHERE r.ev_class = ANY($1)
UNION ALL
SELECT 'pg_statistic_ext'::regclass::oid, s.oid FROM pg_statistic_ext s WHERE s.stxrelid = ANY($1)
UNION ALL
-- serial sequences owned by an excluded table
SELECT 'pg_class'::regclass::oid, d.objid
  FROM pg_depend d
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
   AND d.refobjid = ANY($1) AND d.deptype IN ('a', 'i');
