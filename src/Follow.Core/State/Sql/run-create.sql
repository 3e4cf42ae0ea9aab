-- $1 slot, $2 exported snapshot, $3 consistent point, $4 pg_current_snapshot() inside it, $5 where the stream starts
-- when this run resumes an interrupted copy (NULL: at $3).
INSERT INTO follow.run (slot_name, snapshot, consistent_point, source_snapshot, stream_from) VALUES ($1, $2, $3, $4::text::pg_snapshot, $5) RETURNING run_id;
