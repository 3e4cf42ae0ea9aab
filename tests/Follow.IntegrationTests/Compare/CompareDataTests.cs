using Follow.IntegrationTests.Cli;
using System.Text.Json;
using Follow.IntegrationTests.Infrastructure;
using Npgsql;

namespace Follow.IntegrationTests.Compare;

/// <summary>follow compare data against a plain PostgreSQL target filled as the copy fills it.</summary>
[Collection(CompareCollection.Name)]
public sealed class CompareDataTests(CompareFixture fixture)
{
    private async Task<(TestDatabase Target, FollowProcess.Result Result)> CompareChangedAsync(string hint, string change, params string[] extra)
    {
        var target = await CompareFixture.CopyAsync(fixture.Target, hint);
        await target.ExecuteAsync(change);
        return (target, await CompareFixture.CompareAsync("data", fixture.Source, target.Uri, fixture.RulesPath, extra));
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_faithful_copy_compares_equal_table_by_table()
    {
        var result = await CompareFixture.CompareAsync("data", fixture.Source, fixture.Target.Uri, fixture.RulesPath, "--json");

        Assert.True(result.ExitCode == 0, result.All);
        using var json = JsonDocument.Parse(result.Output);
        Assert.True(json.RootElement.GetProperty("equal").GetBoolean());
        var tables = json.RootElement.GetProperty("tables").EnumerateArray().ToList();
        Assert.Equal(CompareSample.CopiedRows.Keys.Order(), tables.Select(t => t.GetProperty("name").GetString()!).Order());
        Assert.All(tables, t =>
        {
            Assert.True(t.GetProperty("equal").GetBoolean());
            var rows = CompareSample.CopiedRows[t.GetProperty("name").GetString()!];
            Assert.Equal(rows, t.GetProperty("source").GetProperty("rows").GetInt64());
            Assert.Equal(rows, t.GetProperty("target").GetProperty("rows").GetInt64());
            Assert.Equal(t.GetProperty("source").GetProperty("checksum").GetString(), t.GetProperty("target").GetProperty("checksum").GetString());
            Assert.NotEqual("0", t.GetProperty("target").GetProperty("checksum").GetString());
        });
    }

    [Fact]
    public async Task What_follow_clone_copied_compares_equal_in_data_and_schema()
    {
        await using var source = await CompareFixture.CopyAsync(fixture.Source, "compare_clone");
        await using var target = await (await PostgresServers.GetAsync()).Target.CreateDatabaseAsync("compare_clone");
        await CompareFixture.UnlikeDefaultsAsync(target);

        var clone = await FollowProcess.RunAsync("clone", "--slot-name", source.Name, "--orphans", "skip",
            "--source", source.Uri, "--target", target.Uri, "--rules", fixture.RulesPath);
        var data = await CompareFixture.CompareAsync("data", source, target.Uri, fixture.RulesPath);
        var schema = await CompareFixture.CompareAsync("schema", source, target.Uri, fixture.RulesPath);

        Assert.True(clone.ExitCode == 0, clone.All);
        Assert.True(data.ExitCode == 0, data.All);
        Assert.True(schema.ExitCode == 0, schema.All);
        Assert.Equal(49L, await target.ScalarAsync<long>("SELECT count(*) FROM impressions"));
    }

    [Fact]
    public async Task A_faithful_copy_prints_only_the_count_of_equal_tables()
    {
        var result = await CompareFixture.CompareAsync("data", fixture.Source, fixture.Target.Uri, fixture.RulesPath, "--table-jobs", "3");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(["6 tables equal, 0 differ"], Lines(result.Output));
    }

    [Fact]
    public async Task A_value_changed_on_the_target_is_a_checksum_difference_of_that_table_only()
    {
        var (target, result) = await CompareChangedAsync("compare_changed",
            "UPDATE clicks SET cost_per_click_usd = cost_per_click_usd + 0.0000000001 WHERE id = 3");
        await using var _ = target;

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["public.clicks: checksum differs", "5 tables equal, 1 differ"], Lines(result.Output));
    }

    [Fact]
    public async Task A_NULL_turned_into_an_empty_string_is_a_difference()
    {
        var (target, result) = await CompareChangedAsync("compare_null",
            "UPDATE companies SET image_url = '' WHERE id = 1 AND image_url IS NULL");
        await using var _ = target;

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["public.companies: checksum differs", "5 tables equal, 1 differ"], Lines(result.Output));
    }

    [Fact]
    public async Task A_row_deleted_on_the_target_is_a_row_count_difference()
    {
        var (target, result) = await CompareChangedAsync("compare_deleted", "DELETE FROM impressions WHERE id = 10", "--json");
        await using var _ = target;

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var differing = Assert.Single(json.RootElement.GetProperty("tables").EnumerateArray(), t => !t.GetProperty("equal").GetBoolean());
        Assert.Equal("public.impressions", differing.GetProperty("table").GetString());
        var difference = Assert.Single(differing.GetProperty("differences").EnumerateArray());
        Assert.Equal("row-count", difference.GetProperty("kind").GetString());
        Assert.Equal("row count 49 on the source, 48 on the target", difference.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_source_side_reads_in_the_given_snapshot()
    {
        await using var source = await CompareFixture.CopyAsync(fixture.Source, "compare_snapshot");
        await using var exporter = await source.OpenAsync();
        await using var transaction = await exporter.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var snapshot = (string)(await new NpgsqlCommand("SELECT pg_export_snapshot()", exporter, transaction).ExecuteScalarAsync())!;
        await source.ExecuteAsync("""
            INSERT INTO campaigns (id, company_id, name, cost_model, state, created_at, updated_at)
            VALUES (12, 1, 'Campaign 12', 'cost_per_click', 'running', now(), now())
            """);

        var inSnapshot = await CompareFixture.CompareAsync("data", source, fixture.Target.Uri, fixture.RulesPath, "--snapshot", snapshot);
        var now = await CompareFixture.CompareAsync("data", source, fixture.Target.Uri, fixture.RulesPath);

        Assert.True(inSnapshot.ExitCode == 0, inSnapshot.All);
        Assert.Equal(1, now.ExitCode);
        Assert.Contains("public.campaigns: row count 11 on the source, 10 on the target", now.Output);
    }

    [Fact]
    public async Task A_snapshot_that_is_not_exported_is_bad_input()
    {
        var result = await CompareFixture.CompareAsync("data", fixture.Source, fixture.Target.Uri, fixture.RulesPath, "--snapshot", "00000003-0000001B-1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no exported snapshot 00000003-0000001B-1", result.Error);
        Assert.Equal("", result.Output);
    }
}
