-- A new clone: no step is done.
DELETE FROM follow.clone_step;
