-- $1: the slot Follow uses. What logical replication needs of the source server and of the role, in one row:
-- wal_level, free slots and WAL senders, whether the slot exists already, the role, and CREATE on the database
-- (CREATE PUBLICATION needs it), and whether max_slot_wal_keep_size bounds the WAL a slot keeps (-1: unbounded).
SELECT current_setting('wal_level'),
       current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots),
       current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_stat_replication),
       EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1),
       current_user,
       current_database(),
       has_database_privilege(current_database(), 'CREATE'),
       current_setting('max_slot_wal_keep_size') = '-1';
