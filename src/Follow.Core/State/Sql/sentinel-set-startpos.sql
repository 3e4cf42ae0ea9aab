-- $1: where the stream starts, the copy's consistent point. An endpos set meanwhile is kept.
UPDATE follow.sentinel SET startpos = $1;
