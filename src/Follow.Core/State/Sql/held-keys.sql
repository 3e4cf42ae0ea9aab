-- The foreign keys still held, in the order the stream passes their points.
SELECT table_name, constraint_name, statement, valid_after FROM follow.held_foreign_key ORDER BY valid_after, table_name, constraint_name;
