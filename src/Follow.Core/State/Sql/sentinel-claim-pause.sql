-- Holds the follower where it is (pause point 0/0), unless another compare --live or repair already asked for a
-- pause: then no row, and its pause point is kept.
UPDATE follow.sentinel SET pause_lsn = '0/0', held_lsn = NULL WHERE pause_lsn IS NULL RETURNING true;
