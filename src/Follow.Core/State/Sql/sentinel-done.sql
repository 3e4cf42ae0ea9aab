-- The stream reached endpos and set the sequences.
UPDATE follow.sentinel SET done_at = now();
