-- $1: whether every table was equal.
UPDATE follow.compare SET finished_at = now(), updated_at = now(), equal = $1;
