using Follow.IntegrationTests.Cli;
using System.Text.Json;

namespace Follow.IntegrationTests.Compare;

/// <summary>follow compare schema: the cloned target against the schema the plan expects.</summary>
[Collection(CompareCollection.Name)]
public sealed class CompareSchemaTests(CompareFixture fixture)
{
    private async Task<FollowProcess.Result> CompareChangedAsync(string hint, string change, params string[] extra)
    {
        await using var target = await CompareFixture.CopyAsync(fixture.Target, hint);
        await target.ExecuteAsync(change);
        return await CompareFixture.CompareAsync("schema", fixture.Source, target.Uri, fixture.RulesPath, extra);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task The_cloned_schema_compares_equal()
    {
        var result = await CompareFixture.CompareAsync("schema", fixture.Source, fixture.Target.Uri, fixture.RulesPath);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(["6 tables equal, 0 differ"], Lines(result.Output));
    }

    [Fact]
    public async Task A_dropped_index_is_named()
    {
        var result = await CompareChangedAsync("compare_index", "DROP INDEX ads_campaign_id_idx");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["public.ads: index ads_campaign_id_idx is missing on the target", "5 tables equal, 1 differ"], Lines(result.Output));
    }

    [Fact]
    public async Task A_dropped_foreign_key_is_named_with_its_rewritten_columns()
    {
        var result = await CompareChangedAsync("compare_fk", "ALTER TABLE clicks DROP CONSTRAINT clicks_ad_id_fkey");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            ["public.clicks: foreign key clicks_ad_id_fkey (company_id, ad_id) → public.ads (company_id, id) is missing on the target", "5 tables equal, 1 differ"],
            Lines(result.Output));
    }

    [Fact]
    public async Task A_cast_column_left_uncast_is_a_type_difference()
    {
        var result = await CompareChangedAsync("compare_type", "ALTER TABLE impressions ALTER COLUMN seen_at TYPE timestamp without time zone", "--json");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var differing = Assert.Single(json.RootElement.GetProperty("tables").EnumerateArray(), t => !t.GetProperty("equal").GetBoolean());
        Assert.Equal("public.impressions", differing.GetProperty("table").GetString());
        var difference = Assert.Single(differing.GetProperty("differences").EnumerateArray());
        Assert.Equal("column", difference.GetProperty("kind").GetString());
        Assert.Equal("seen_at", difference.GetProperty("name").GetString());
        Assert.Equal("column seen_at is timestamp without time zone on the target, expected timestamp with time zone", difference.GetProperty("message").GetString());
    }
}
