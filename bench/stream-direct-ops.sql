-- The stream benchmark's backlog as the application would know it, for psql on the source before the backlog is
-- written: psql -v txns=N -f bench/stream-direct-ops.sql writes one line per transaction i (COPY text) with the
-- rows bench/stream-workload.sql picks for it and each row's tenant (company_id), the same formulas on the same
-- data. bench/stream.sh loads it into the table bench_ops of the Citus database that bench/stream-direct.pgbench
-- writes to: the pgbench clients read a transaction's line, then write its three changes, each routed to the
-- shard of its tenant. Columns (0 where a kind has no such row):
--   i, kind (i % 4), ad and ad_co (kinds 1 and 2: the ad clicked or seen), old and old_co (kind 1: the click,
--   kind 2: the impression deleted), campaign, campaign_co, click, click_co, impression, impression_co (kind 3:
--   the rows updated).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
COPY (
    WITH b AS (
        SELECT (SELECT min(id) FROM ads) AS ads_min, (SELECT count(*) FROM ads) AS ads_count,
               (SELECT min(id) FROM campaigns) AS campaigns_min, (SELECT count(*) FROM campaigns) AS campaigns_count,
               (SELECT min(id) FROM clicks) AS clicks_min, (SELECT max(id) FROM clicks) AS clicks_max,
               (SELECT min(id) FROM impressions) AS impressions_min, (SELECT max(id) FROM impressions) AS impressions_max
    ), picked AS (
        -- i is an integer as in the workload's loop: i / 4 divides integers.
        SELECT g.i, g.i % 4 AS kind,
               b.ads_min + (g.i * 7919) % b.ads_count AS ad,
               CASE g.i % 4 WHEN 1 THEN b.clicks_min + g.i / 4 WHEN 2 THEN b.impressions_min + g.i / 4 ELSE 0 END AS old,
               CASE g.i % 4 WHEN 3 THEN b.campaigns_min + (g.i * 31) % b.campaigns_count ELSE 0 END AS campaign,
               CASE g.i % 4 WHEN 3 THEN b.clicks_max - g.i / 4 ELSE 0 END AS click,
               CASE g.i % 4 WHEN 3 THEN b.impressions_max - g.i / 4 ELSE 0 END AS impression
          FROM b, generate_series(1, :txns) AS g(i)
    )
    SELECT p.i, p.kind,
           CASE WHEN p.kind IN (1, 2) THEN p.ad ELSE 0 END,
           CASE WHEN p.kind IN (1, 2) THEN (SELECT c.company_id FROM ads a JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = p.ad) ELSE 0 END,
           p.old,
           CASE p.kind
               WHEN 1 THEN (SELECT c.company_id FROM clicks k JOIN ads a ON a.id = k.ad_id JOIN campaigns c ON c.id = a.campaign_id WHERE k.id = p.old)
               WHEN 2 THEN (SELECT c.company_id FROM impressions k JOIN ads a ON a.id = k.ad_id JOIN campaigns c ON c.id = a.campaign_id WHERE k.id = p.old)
               ELSE 0 END,
           p.campaign,
           CASE WHEN p.kind = 3 THEN (SELECT c.company_id FROM campaigns c WHERE c.id = p.campaign) ELSE 0 END,
           p.click,
           CASE WHEN p.kind = 3 THEN (SELECT c.company_id FROM clicks k JOIN ads a ON a.id = k.ad_id JOIN campaigns c ON c.id = a.campaign_id WHERE k.id = p.click) ELSE 0 END,
           p.impression,
           CASE WHEN p.kind = 3 THEN (SELECT c.company_id FROM impressions k JOIN ads a ON a.id = k.ad_id JOIN campaigns c ON c.id = a.campaign_id WHERE k.id = p.impression) ELSE 0 END
      FROM picked p
     ORDER BY p.i
) TO STDOUT;
