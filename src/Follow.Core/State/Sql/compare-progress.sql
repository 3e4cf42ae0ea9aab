-- $1: tables done, $2: tenants compared so far.
UPDATE follow.compare SET tables_done = $1, tenants_done = $2, updated_at = now();
