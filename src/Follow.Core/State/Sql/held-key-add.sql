-- $1 table, $2 constraint, $3 its ADD CONSTRAINT statement, $4 the LSN the stream must pass first.
INSERT INTO follow.held_foreign_key (table_name, constraint_name, statement, valid_after) VALUES ($1, $2, $3, $4)
ON CONFLICT (table_name, constraint_name) DO UPDATE SET statement = excluded.statement, valid_after = excluded.valid_after;
