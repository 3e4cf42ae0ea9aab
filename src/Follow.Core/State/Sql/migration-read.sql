-- The clone's record: what it was told, what it planned, and the phase the migration reached.
SELECT rules, rules_origin, filters, plan, fingerprint, slot_name, publication, phase FROM follow.migration;
