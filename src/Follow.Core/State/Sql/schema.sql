-- Follow's own state on the target, in the follow schema. Safe to run again.
CREATE SCHEMA IF NOT EXISTS follow;

-- Steps of the clone that completed; a rerun skips them. Each step records itself in its own transaction.
CREATE TABLE IF NOT EXISTS follow.clone_step (
    step    text PRIMARY KEY,
    done_at timestamptz NOT NULL DEFAULT now()
);
