-- $1: whether the stream applies (follow sentinel set apply | no-apply).
UPDATE follow.sentinel SET apply = $1;
