-- $1: the last source commit a target transaction holds, written in that same transaction.
UPDATE follow.sentinel SET replay_lsn = $1;
