-- On Citus, a transaction that touches one shard commits nothing on the coordinator, so the origin does not move;
-- replay_lsn does, and as a table in Citus' metadata the sentinel commits with the shards (two-phase commit).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'follow.sentinel'::regclass) THEN
        PERFORM citus_add_local_table_to_metadata('follow.sentinel');
    END IF;
END $$;
