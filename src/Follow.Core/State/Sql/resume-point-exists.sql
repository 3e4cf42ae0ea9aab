-- Whether the copy's runs and the sentinel exist on this target (without creating Follow's state).
SELECT to_regclass('follow.run') IS NOT NULL AND to_regclass('follow.sentinel') IS NOT NULL;
