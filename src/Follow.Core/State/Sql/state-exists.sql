-- Whether the copy's runs and jobs exist on this target (without creating Follow's state).
SELECT to_regclass('follow.run') IS NOT NULL AND to_regclass('follow.job') IS NOT NULL;
