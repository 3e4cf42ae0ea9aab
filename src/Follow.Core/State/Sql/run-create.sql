-- $1 slot, $2 exported snapshot, $3 consistent point, $4 pg_current_snapshot() inside it.
INSERT INTO follow.run (slot_name, snapshot, consistent_point, source_snapshot) VALUES ($1, $2, $3, $4::text::pg_snapshot) RETURNING run_id;
