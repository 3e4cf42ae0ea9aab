-- $1 table, $2 trigger: disabled by Follow, to be enabled again at the end of the stream.
INSERT INTO follow.held_trigger (table_name, trigger_name) VALUES ($1, $2) ON CONFLICT DO NOTHING;
