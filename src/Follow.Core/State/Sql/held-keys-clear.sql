-- Post-data starts: the keys held are worked out anew (a clone that starts over holds none).
DELETE FROM follow.held_foreign_key;
