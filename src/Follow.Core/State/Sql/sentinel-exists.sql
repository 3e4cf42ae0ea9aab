-- Whether Follow's state exists on this target (without creating it).
SELECT to_regclass('follow.sentinel') IS NOT NULL;
