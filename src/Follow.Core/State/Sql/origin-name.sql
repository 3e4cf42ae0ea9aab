-- Replication origins belong to the whole server, so each target database gets its own.
SELECT 'follow_' || oid FROM pg_database WHERE datname = current_database();
