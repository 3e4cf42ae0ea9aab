-- Whether the clone's steps were recorded on this target (without creating Follow's state).
SELECT to_regclass('follow.clone_step') IS NOT NULL;
