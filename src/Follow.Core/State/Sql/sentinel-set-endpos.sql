-- $1: the LSN the stream stops at (follow sentinel set endpos).
UPDATE follow.sentinel SET endpos = $1;
