-- Follow's own state on the target, in the follow schema. Safe to run again.
CREATE SCHEMA IF NOT EXISTS follow;

-- Steps of the clone that completed; a rerun skips them. Each step records itself in its own transaction.
CREATE TABLE IF NOT EXISTS follow.clone_step (
    step    text PRIMARY KEY,
    done_at timestamptz NOT NULL DEFAULT now()
);

-- Copy runs and their jobs, after the model of batch-copy orchestration: one job per table, or per ctid range
-- of a large table. A run belongs to one replication slot and its exported snapshot.
CREATE TABLE IF NOT EXISTS follow.run (
    run_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at       timestamptz NOT NULL DEFAULT now(),
    slot_name        text NOT NULL,
    snapshot         text,
    consistent_point pg_lsn,
    source_snapshot  pg_snapshot,                -- pg_current_snapshot() inside the exported snapshot: what it sees
    finished_at      timestamptz
);
-- Where the stream starts: the slot's consistent point. A run that resumes an interrupted copy keeps the first run's
-- slot, so its own consistent_point (its snapshot's) is later; NULL on runs that do not resume one.
-- Added only when missing: ALTER TABLE locks the table even when it has nothing to do, and this script runs often.
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'follow.run'::regclass AND attname = 'stream_from') THEN
        ALTER TABLE follow.run ADD COLUMN stream_from pg_lsn;
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS follow.job (
    job_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         bigint NOT NULL REFERENCES follow.run (run_id) ON DELETE CASCADE,
    table_name     text NOT NULL,              -- schema-qualified, quoted where PostgreSQL would need it
    part           integer NOT NULL DEFAULT 1, -- 1..parts; a table copied whole has one part
    parts          integer NOT NULL DEFAULT 1,
    first_page     bigint,                     -- ctid range [first_page, last_page) of a part; NULL: whole table
    last_page      bigint,
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'failed', 'completed')),
    estimated_rows bigint NOT NULL DEFAULT 0,  -- the source's reltuples share of this part, for time-left estimates
    rows           bigint NOT NULL DEFAULT 0,
    bytes          bigint NOT NULL DEFAULT 0,
    started_at     timestamptz,
    elapsed        interval NOT NULL DEFAULT '0',
    error          text,
    UNIQUE (run_id, table_name, part)
);
-- A table a resumed copy kept: the run whose rows it holds (completed there, not copied again). Its rows are
-- consistent with that run's consistent_point.
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'follow.job'::regclass AND attname = 'kept_from') THEN
        ALTER TABLE follow.job ADD COLUMN kept_from bigint;
    END IF;
END $$;

-- Each job's progress and rate, for people watching with psql.
CREATE OR REPLACE VIEW follow.report AS
SELECT j.run_id,
       j.job_id,
       j.table_name,
       j.part,
       j.parts,
       j.state,
       j.rows,
       j.estimated_rows,
       j.bytes,
       j.started_at,
       j.elapsed,
       round(j.rows / nullif(extract(epoch FROM j.elapsed), 0)) AS rows_per_second,
       round(j.bytes / nullif(extract(epoch FROM j.elapsed), 0)) AS bytes_per_second
  FROM follow.job j;

-- The stream's sentinel, as in pgcopydb: where it started, where it must stop (endpos), whether to apply, and
-- how far it got. replay_lsn is written in the same target transaction as the changes it covers.
CREATE TABLE IF NOT EXISTS follow.sentinel (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    startpos   pg_lsn,
    endpos     pg_lsn,
    apply      boolean NOT NULL DEFAULT true,
    write_lsn  pg_lsn,
    flush_lsn  pg_lsn,
    replay_lsn pg_lsn,
    done_at    timestamptz,
    pause_lsn  pg_lsn,  -- a pause point: apply only transactions committed before it, then hold (compare --live, repair)
    held_lsn   pg_lsn   -- the pause point the follower holds at, everything before it committed
);
-- A sentinel made before pause points existed. Checked first: ALTER TABLE on a Citus table is a distributed DDL.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'follow.sentinel'::regclass AND attname = 'pause_lsn') THEN
        ALTER TABLE follow.sentinel ADD COLUMN pause_lsn pg_lsn, ADD COLUMN held_lsn pg_lsn;
    END IF;
END $$;
INSERT INTO follow.sentinel (id) VALUES (true) ON CONFLICT (id) DO NOTHING;

-- Triggers of moved tables that Follow disabled while it streams (the source already ran them), enabled again once
-- the stream reached endpos. Only those the source had enabled are here.
CREATE TABLE IF NOT EXISTS follow.held_trigger (
    table_name   text NOT NULL,              -- schema-qualified, each part quoted by quote_ident
    trigger_name text NOT NULL,
    PRIMARY KEY (table_name, trigger_name)
);

-- What the clone was told and what it planned, so that later commands need not be told again and cannot run with
-- another plan: the rules' text, the filter options as given, the plan and its fingerprint, the slot, and how far the
-- migration got. One row, written when a clone starts.
CREATE TABLE IF NOT EXISTS follow.migration (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    rules        text,                          -- the rules' text (a load command's passwords left out); NULL: none
    rules_origin text,                          -- where they were read: a file, or configuration Follow:Rules
    filters      text[] NOT NULL DEFAULT '{}',  -- the filter options as given, e.g. {--exclude-table,public.logs}
    plan         text NOT NULL,                 -- one line per moved table: category, distribution column, path
    fingerprint  text NOT NULL,                 -- SHA-256 of plan
    slot_name    text NOT NULL,
    publication  text NOT NULL,
    phase        text NOT NULL CHECK (phase IN ('copying', 'copied', 'streaming', 'done')),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- The last by-tenant comparison (compare data --live, --tenant) and how far it got, for follow list progress.
CREATE TABLE IF NOT EXISTS follow.compare (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    started_at   timestamptz NOT NULL,
    lsn          pg_lsn,                 -- the pause point compared at; NULL: not live
    tables       integer NOT NULL,
    tables_done  integer NOT NULL DEFAULT 0,
    tenants_done bigint NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    equal        boolean                 -- set when finished
);

-- Foreign keys between tables copied at different points (a resumed copy): made only once the stream has applied
-- everything before valid_after, the later of the two tables' points, when both tables hold the same moment.
CREATE TABLE IF NOT EXISTS follow.held_foreign_key (
    table_name      text NOT NULL,              -- schema-qualified, quoted where PostgreSQL would need it
    constraint_name text NOT NULL,
    statement       text NOT NULL,              -- the ALTER TABLE … ADD CONSTRAINT that makes it
    valid_after     pg_lsn NOT NULL,
    PRIMARY KEY (table_name, constraint_name)
);
