-- $1 table, $2 trigger: enabled again.
DELETE FROM follow.held_trigger WHERE table_name = $1 AND trigger_name = $2;
