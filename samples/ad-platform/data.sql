-- Deterministic sample data for schema.sql, for psql:  psql -v scale=1 -f data.sql
-- scale 1 gives 2,000 companies, 6,000 campaigns, 12,000 ads, 100,000 clicks and 100,000 impressions.
\set ON_ERROR_STOP 1
\if :{?scale}
\else
\set scale 1
\endif

SELECT greatest(1, round(2000 * :scale))::int   AS n_companies,
       greatest(1, round(6000 * :scale))::int   AS n_campaigns,
       greatest(1, round(12000 * :scale))::int  AS n_ads,
       greatest(1, round(100000 * :scale))::int AS n_clicks,
       greatest(1, round(100000 * :scale))::int AS n_impressions
\gset

BEGIN;
-- Same seed, same rows: random() is evaluated row by row, in order, in this one session.
SELECT setseed(0.42);

INSERT INTO companies (id, name, image_url, created_at, updated_at)
SELECT g, 'Company ' || g, 'https://images.example.com/companies/' || g || '.png',
       timestamp '2023-01-01' + g * interval '1 hour',
       timestamp '2023-01-01' + g * interval '1 hour' + random() * interval '30 days'
FROM generate_series(1, :n_companies) g;

INSERT INTO campaigns (id, company_id, name, cost_model, state, monthly_budget, blacklisted_site_urls, created_at, updated_at)
SELECT g, 1 + floor(random() * :n_companies)::bigint, 'Campaign ' || g,
       (ARRAY['cost_per_click', 'cost_per_impression'])[1 + floor(random() * 2)::int],
       (ARRAY['running', 'paused', 'archived'])[1 + floor(random() * 3)::int],
       (100 + random() * 10000)::bigint,
       CASE WHEN g % 5 = 0 THEN ARRAY['https://spam' || g % 7 || '.example.com'] END,
       timestamp '2023-02-01' + g * interval '20 minutes',
       timestamp '2023-02-01' + g * interval '20 minutes' + random() * interval '30 days'
FROM generate_series(1, :n_campaigns) g;

INSERT INTO ads (id, campaign_id, name, image_url, target_url, impressions_count, clicks_count, created_at, updated_at)
SELECT g, 1 + floor(random() * :n_campaigns)::bigint, 'Ad ' || g,
       'https://images.example.com/ads/' || g || '.png', 'https://shop.example.com/landing/' || g,
       floor(random() * 10000)::bigint, floor(random() * 500)::bigint,
       timestamp '2023-03-01' + g * interval '10 minutes',
       timestamp '2023-03-01' + g * interval '10 minutes' + random() * interval '30 days'
FROM generate_series(1, :n_ads) g;

INSERT INTO clicks (id, ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
SELECT g, 1 + floor(random() * :n_ads)::bigint,
       timestamp '2024-01-01' + random() * interval '90 days',
       'https://site' || floor(random() * 500)::int || '.example.com/',
       round((random() * 2)::numeric, 10),
       inet '10.0.0.0' + floor(random() * 16777216)::bigint,
       jsonb_build_object('is_mobile', random() < 0.6,
                          'location', (ARRAY['US', 'DE', 'FR', 'JP', 'BR'])[1 + floor(random() * 5)::int])
FROM generate_series(1, :n_clicks) g;

INSERT INTO impressions (id, ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
SELECT g, 1 + floor(random() * :n_ads)::bigint,
       timestamp '2024-01-01' + random() * interval '90 days',
       'https://site' || floor(random() * 500)::int || '.example.com/',
       round((random() * 0.05)::numeric, 10),
       inet '10.0.0.0' + floor(random() * 16777216)::bigint,
       jsonb_build_object('is_mobile', random() < 0.6,
                          'location', (ARRAY['US', 'DE', 'FR', 'JP', 'BR'])[1 + floor(random() * 5)::int])
FROM generate_series(1, :n_impressions) g;

-- Explicit ids above; move the sequences past them so later inserts do not collide.
SELECT setval(pg_get_serial_sequence('companies', 'id'), :n_companies),
       setval(pg_get_serial_sequence('campaigns', 'id'), :n_campaigns),
       setval(pg_get_serial_sequence('ads', 'id'), :n_ads),
       setval(pg_get_serial_sequence('clicks', 'id'), :n_clicks),
       setval(pg_get_serial_sequence('impressions', 'id'), :n_impressions);
COMMIT;

ANALYZE companies, campaigns, ads, clicks, impressions;
