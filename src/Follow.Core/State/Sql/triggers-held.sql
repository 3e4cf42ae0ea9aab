-- The triggers Follow disabled, to enable again.
SELECT table_name, trigger_name FROM follow.held_trigger ORDER BY 1, 2;
