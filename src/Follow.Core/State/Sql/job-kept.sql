-- $1 run, $2 table, $3 the run whose rows the table keeps, $4 rows: a table a resumed copy does not copy again.
INSERT INTO follow.job (run_id, table_name, state, rows, kept_from) VALUES ($1, $2, 'completed', $4, $3) RETURNING job_id;
