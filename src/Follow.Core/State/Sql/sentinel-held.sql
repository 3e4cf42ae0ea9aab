-- $1: the pause point the follower holds at, everything committed before it applied. Only while that pause is asked.
UPDATE follow.sentinel SET held_lsn = $1 WHERE pause_lsn = $1;
