-- $1: the phase the migration reached (streaming, done). A phase only moves forward, and past copying only with the
-- copy's finish (run-finish.sql).
UPDATE follow.migration
   SET phase = $1
 WHERE phase <> 'copying'
   AND array_position(ARRAY['copying', 'copied', 'streaming', 'done'], phase)
     < array_position(ARRAY['copying', 'copied', 'streaming', 'done'], $1::text);
