-- The stream benchmark's backlog, for psql: psql -v txns=N -f bench/stream-workload.sql (on the loaded sample).
-- N small transactions of exactly three row changes each, in four kinds taken in turn: a new tenant (company,
-- campaign and ad inserted), a click (inserted, counted on its ad, an old click deleted), an impression (the
-- same), and updates (a campaign's budget, a click's cost, an impression's cost). The rows are picked by
-- formulas, not at random, so every run writes the same backlog. One DO block commits each transaction itself:
-- the backlog is written at the server's speed, not at a client's round trips.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET synchronous_commit = off;
SELECT set_config('bench.txns', :'txns', false);
DO $$
DECLARE
    n bigint := current_setting('bench.txns')::bigint;
    quarter bigint := n / 4 + 1;
    ads_min bigint; ads_count bigint; campaigns_min bigint; campaigns_count bigint;
    clicks_min bigint; clicks_max bigint; impressions_min bigint; impressions_max bigint;
    ad bigint; company bigint; campaign bigint;
BEGIN
    SELECT min(id), count(*) INTO ads_min, ads_count FROM ads;
    SELECT min(id), count(*) INTO campaigns_min, campaigns_count FROM campaigns;
    SELECT min(id), max(id) INTO clicks_min, clicks_max FROM clicks;
    SELECT min(id), max(id) INTO impressions_min, impressions_max FROM impressions;
    -- Deletes take ids from the bottom, updates from the top: they must not meet, or a change would touch nothing.
    IF 2 * quarter > least(clicks_max - clicks_min, impressions_max - impressions_min) THEN
        RAISE EXCEPTION 'a backlog of % transactions needs at least % clicks and impressions: load a larger scale', n, 2 * quarter;
    END IF;
    FOR i IN 1..n LOOP
        ad := ads_min + (i * 7919) % ads_count;
        CASE i % 4
        WHEN 0 THEN
            INSERT INTO companies (name, image_url, created_at, updated_at)
            VALUES ('bench company ' || i, 'https://example.com/' || i || '.png', now(), now()) RETURNING id INTO company;
            INSERT INTO campaigns (company_id, name, cost_model, state, monthly_budget, created_at, updated_at)
            VALUES (company, 'bench campaign ' || i, 'cost_per_click', 'running', 1000 + i, now(), now()) RETURNING id INTO campaign;
            INSERT INTO ads (campaign_id, name, image_url, target_url, created_at, updated_at)
            VALUES (campaign, 'bench ad ' || i, 'https://example.com/ad.png', 'https://example.com/' || i, now(), now());
        WHEN 1 THEN
            INSERT INTO clicks (ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
            VALUES (ad, now(), 'https://site.example/' || i, 0.25 + i % 100 / 100.0, '10.0.0.1', jsonb_build_object('i', i));
            UPDATE ads SET clicks_count = clicks_count + 1, updated_at = now() WHERE id = ad;
            DELETE FROM clicks WHERE id = clicks_min + i / 4;
        WHEN 2 THEN
            INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
            VALUES (ad, now(), 'https://site.example/' || i, 0.01 + i % 100 / 1000.0, '10.0.0.2', jsonb_build_object('i', i));
            UPDATE ads SET impressions_count = impressions_count + 1, updated_at = now() WHERE id = ad;
            DELETE FROM impressions WHERE id = impressions_min + i / 4;
        ELSE
            UPDATE campaigns SET monthly_budget = 500 + i, updated_at = now() WHERE id = campaigns_min + (i * 31) % campaigns_count;
            UPDATE clicks SET cost_per_click_usd = i % 1000 / 100.0 WHERE id = clicks_max - i / 4;
            UPDATE impressions SET cost_per_impression_usd = i % 1000 / 1000.0 WHERE id = impressions_max - i / 4;
        END CASE;
        COMMIT;
    END LOOP;
END $$;
