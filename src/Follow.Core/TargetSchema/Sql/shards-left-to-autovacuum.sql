-- Whether autovacuum analyzes the shards the copy filled, on every node of the Citus cluster (the coordinator
-- holds reference and local tables' shards): autovacuum and its counters are on, and its scale factor below 1, so
-- that a shard filled from empty passes its analyze threshold (50 rows + 10 % of them by default).
SELECT current_setting('autovacuum')::bool AND current_setting('track_counts')::bool
   AND current_setting('autovacuum_analyze_scale_factor')::float8 < 1
   AND (SELECT coalesce(bool_and(success AND result = 't'), true)
          FROM run_command_on_workers($node$
            SELECT current_setting('autovacuum')::bool AND current_setting('track_counts')::bool
               AND current_setting('autovacuum_analyze_scale_factor')::float8 < 1 $node$))
