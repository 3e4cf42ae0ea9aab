-- $1: a clone step; whether it completed.
SELECT EXISTS (SELECT 1 FROM follow.clone_step WHERE step = $1);
