-- Whether this target's follow schema has the comparison's record (a schema of an older Follow has not).
SELECT to_regclass('follow.compare') IS NOT NULL;
