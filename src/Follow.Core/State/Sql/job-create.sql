-- $1 run, $2 table, $3 part, $4 parts, $5 first page, $6 last page, $7 estimated rows.
INSERT INTO follow.job (run_id, table_name, part, parts, first_page, last_page, estimated_rows) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING job_id;
