-- $1: a clone step that completed, recorded in the transaction that did it.
INSERT INTO follow.clone_step (step) VALUES ($1) ON CONFLICT (step) DO NOTHING;
