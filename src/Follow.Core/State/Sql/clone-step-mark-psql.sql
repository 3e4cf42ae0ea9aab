-- The record of a clone step for a script psql runs in one transaction; psql binds :'follow_step' as a literal.
INSERT INTO follow.clone_step (step) VALUES (:'follow_step') ON CONFLICT (step) DO NOTHING;
