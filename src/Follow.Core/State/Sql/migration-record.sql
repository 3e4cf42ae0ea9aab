-- $1 rules, $2 their origin, $3 filter options, $4 plan, $5 fingerprint, $6 slot, $7 publication: a clone starts.
INSERT INTO follow.migration (id, rules, rules_origin, filters, plan, fingerprint, slot_name, publication, phase)
VALUES (true, $1, $2, $3, $4, $5, $6, $7, 'copying')
ON CONFLICT (id) DO UPDATE
   SET rules = excluded.rules, rules_origin = excluded.rules_origin, filters = excluded.filters, plan = excluded.plan,
       fingerprint = excluded.fingerprint, slot_name = excluded.slot_name, publication = excluded.publication,
       phase = 'copying', recorded_at = now();
