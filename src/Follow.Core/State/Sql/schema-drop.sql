-- Follow's whole state on the target: the clone's record, its progress, the sentinel, the held triggers.
DROP SCHEMA IF EXISTS follow CASCADE;
