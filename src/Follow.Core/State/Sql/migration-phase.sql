-- $1: the phase the migration reached (copied, streaming, done); a phase only moves forward.
UPDATE follow.migration
   SET phase = $1
 WHERE array_position(ARRAY['copying', 'copied', 'streaming', 'done'], phase)
     < array_position(ARRAY['copying', 'copied', 'streaming', 'done'], $1::text);
