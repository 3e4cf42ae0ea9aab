-- $1: a pause point, or NULL to let the follower go on. Whatever the follower reported holding at is forgotten:
-- it reports again for this pause point.
UPDATE follow.sentinel SET pause_lsn = $1, held_lsn = NULL;
