-- $1 table, $2 constraint: made, in the same transaction.
DELETE FROM follow.held_foreign_key WHERE table_name = $1 AND constraint_name = $2;
