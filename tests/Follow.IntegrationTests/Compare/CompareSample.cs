using Follow.IntegrationTests.Infrastructure;

namespace Follow.IntegrationTests.Compare;

/// <summary>
/// The ad-platform schema with a reference table, a generated column and a few deterministic rows: NULLs, jsonb,
/// inet, numeric, arrays, a timestamp cast to timestamptz, and orphans the copy leaves out (an impression without
/// an ad; a campaign without a company, with an ad and an impression under it).
/// </summary>
internal static class CompareSample
{
    public const string Rules = """
        distribute companies using id
        distribute countries as reference table
        cast column impressions.seen_at to "timestamp with time zone"
        """;

    private const string Additions = """
        CREATE TABLE countries (code text PRIMARY KEY, name text NOT NULL, vat_rate numeric(5,4));
        ALTER TABLE clicks ADD COLUMN cost_per_click_cents numeric GENERATED ALWAYS AS (cost_per_click_usd * 100) STORED;
        """;

    private const string Rows = """
        INSERT INTO countries VALUES ('DE', 'Germany', 0.19), ('FR', 'France', 0.2), ('US', 'United States', NULL);
        INSERT INTO companies (id, name, image_url, created_at, updated_at)
        SELECT g, 'Company ' || g, CASE WHEN g % 2 = 0 THEN 'https://img.example.com/' || g || '.png' END,
               timestamp '2024-01-01' + g * interval '1 day', timestamp '2024-02-01 12:30:00.123456' + g * interval '1 hour'
          FROM generate_series(1, 5) g;
        INSERT INTO campaigns (id, company_id, name, cost_model, state, monthly_budget, blacklisted_site_urls, created_at, updated_at)
        SELECT g, 1 + g % 5, 'Campaign ' || g, 'cost_per_click', 'running', CASE WHEN g % 3 <> 0 THEN 100 * g END,
               CASE WHEN g % 4 = 0 THEN ARRAY['https://spam.example.com', 'a "quoted", site'] END,
               timestamp '2024-03-01' + g * interval '1 minute', timestamp '2024-03-02' + g * interval '1 minute'
          FROM generate_series(1, 10) g;
        INSERT INTO ads (id, campaign_id, name, image_url, target_url, created_at, updated_at)
        SELECT g, 1 + g % 10, 'Ad ' || g, NULL, 'https://shop.example.com/' || g,
               timestamp '2024-04-01' + g * interval '1 second', timestamp '2024-04-02' + g * interval '1 second'
          FROM generate_series(1, 20) g;
        INSERT INTO clicks (id, ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
        SELECT g, 1 + g % 20, timestamp '2024-05-01 08:00:00' + g * interval '17 minutes 3.25 seconds',
               'https://site' || g % 7 || '.example.com/', CASE WHEN g % 10 <> 0 THEN round(g / 7.0, 10) END,
               inet '10.0.0.0' + g * 1013, jsonb_build_object('is_mobile', g % 3 = 0, 'location', 'DE', 'n', g / 3.0)
          FROM generate_series(1, 50) g;
        INSERT INTO impressions (id, ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
        SELECT g, CASE WHEN g = 50 THEN NULL ELSE 1 + g % 20 END,
               timestamp '2024-06-30 22:00:00' + g * interval '7 minutes 0.5 seconds',
               'https://site' || g % 5 || '.example.com/', round(g / 3000.0, 10),
               CASE WHEN g % 2 = 0 THEN inet '192.168.1.0/24' ELSE inet '2001:db8::1' END,
               jsonb_build_object('tags', jsonb_build_array('a', g), 'nested', jsonb_build_object('x', NULL))
          FROM generate_series(1, 50) g;
        -- Orphans through a NULL distribution key: a campaign without a company, its ad and that ad's impression.
        INSERT INTO campaigns (id, company_id, name, cost_model, state, created_at, updated_at)
        VALUES (11, NULL, 'Campaign 11', 'cost_per_click', 'paused', '2024-03-01', '2024-03-01');
        INSERT INTO ads (id, campaign_id, name, created_at, updated_at) VALUES (21, 11, 'Ad 21', '2024-04-01', '2024-04-01');
        INSERT INTO impressions (id, ad_id, seen_at, site_url, user_ip, user_data)
        VALUES (51, 21, '2024-07-01 00:00:00', 'https://site.example.com/', '10.1.1.1', '{}');
        """;

    /// <summary>Rows the copy writes per table; the orphans are not among them.</summary>
    public static readonly IReadOnlyDictionary<string, long> CopiedRows = new Dictionary<string, long>
    {
        ["companies"] = 5, ["countries"] = 3, ["campaigns"] = 10, ["ads"] = 20, ["clicks"] = 50, ["impressions"] = 49,
    };

    public static async Task LoadAsync(TestDatabase source)
    {
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await source.ExecuteAsync(Additions);
        await source.ExecuteAsync(Rows);
    }

    public static string WriteRules()
    {
        var path = Path.Combine(Path.GetTempPath(), $"follow-compare-{Guid.NewGuid():N}.rules");
        File.WriteAllText(path, Rules);
        return path;
    }
}
