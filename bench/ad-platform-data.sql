-- Benchmark data for the ad-platform schema (samples/ad-platform/schema.sql), for psql:
--   psql -v scale=N -f bench/ad-platform-data.sql
-- The rows of samples/ad-platform/data.sql at the same scale (the same seed, so the same values), loaded the fast
-- way: keys and indexes are dropped first and built after the load, commits do not wait for the WAL flush, and
-- the tables are vacuumed, frozen and analyzed at the end so that every copy that follows reads the same
-- all-visible pages with hint bits set (the first reader would otherwise pay for writing them).
-- Size (pg_database_size after loading, PostgreSQL 15): scale 1 is 45 MB, scale N about 8 + 37 × N MB;
-- scale 28 gives 1,038 MB (6.2 million rows).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';

-- Keys, foreign keys and other indexes of the five tables, as the catalog writes them, to drop now and build later.
CREATE TEMP TABLE bench_ddl (step int, drop_sql text, create_sql text);
INSERT INTO bench_ddl
SELECT CASE c.contype WHEN 'f' THEN 3 ELSE 1 END,
       format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
  FROM pg_constraint c
 WHERE c.conrelid = ANY ('{companies,campaigns,ads,clicks,impressions}'::regclass[])
   AND c.contype IN ('p', 'u', 'f');
INSERT INTO bench_ddl
SELECT 2, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
  FROM pg_index i
 WHERE i.indrelid = ANY ('{companies,campaigns,ads,clicks,impressions}'::regclass[])
   -- Indexes behind a primary key or unique constraint go with the constraint (a foreign key's conindid is the
   -- referenced table's index, hence the contype filter).
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'));

SELECT drop_sql FROM bench_ddl ORDER BY step DESC \gexec
TRUNCATE companies, campaigns, ads, clicks, impressions;

\ir ../samples/ad-platform/data.sql

SELECT create_sql FROM bench_ddl ORDER BY step \gexec
VACUUM (FREEZE, ANALYZE) companies, campaigns, ads, clicks, impressions;
