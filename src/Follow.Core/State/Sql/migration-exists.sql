-- Whether the clone's record and the older state it can be told from exist (without creating Follow's state).
SELECT to_regclass('follow.migration') IS NOT NULL,
       to_regclass('follow.run') IS NOT NULL AND to_regclass('follow.sentinel') IS NOT NULL;
