using System.Diagnostics;
using Follow.Discovery;
using Follow.IntegrationTests.Infrastructure;
using Follow.Planning;
using Follow.Rules;
using Follow.Snapshot;
using Npgsql;

namespace Follow.IntegrationTests.Snapshot;

/// <summary>A source loaded with the ad-platform sample, an empty target, and row-by-row fingerprints of both sides.</summary>
internal static class CopyFixture
{
    public static async Task<(TestDatabase Source, TestDatabase Target)> AdPlatformAsync(string hint, double scale)
    {
        var servers = await PostgresServers.GetAsync();
        var source = await servers.Source.CreateDatabaseAsync(hint);
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, scale);
        return (source, await servers.Target.CreateDatabaseAsync(hint));
    }

    public static async Task LoadSampleDataAsync(TestDatabase database, double scale)
    {
        var start = new ProcessStartInfo(Path.Combine(database.Server.BinDir, "psql"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-X", "-q", "-v", $"scale={scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "-f", SamplePaths.Get("ad-platform", "data.sql"), database.Uri })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
    }

    public static string RulesFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.rules");
        File.WriteAllText(path, text);
        return path;
    }

    public static async Task<DistributionPlan> PlanAsync(TestDatabase source, string rulesFile)
    {
        await using var connection = await source.OpenAsync();
        var catalog = await CatalogReader.ReadAsync(connection, CancellationToken.None);
        return DistributionPlanner.Plan(catalog, RulesParser.ParseFile(rulesFile));
    }

    /// <summary>Row count and a hash of every row's text, sorted: equal fingerprints mean equal tables.</summary>
    public static async Task<(long Rows, string Hash)> FingerprintAsync(string connectionString, string rowsSql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var settings = new NpgsqlCommand("SET TimeZone = 'UTC'; SET extra_float_digits = 3", connection)) await settings.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT count(*), coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') FROM ({rowsSql}) r", connection) { CommandTimeout = 300 };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>What the target should hold for a table: the copy's own SELECT on the source, optionally filtered.</summary>
    public static string SourceRows(TablePlan table, string? extraCondition = null)
    {
        var select = CopyQuery.Select(table);
        return extraCondition is null ? select : $"SELECT * FROM ({select}) s WHERE {extraCondition}";
    }

    public static string TargetRows(TablePlan table) =>
        $"SELECT {Model.Sql.Idents(CopyQuery.TargetColumns(table))} FROM {table.Name.Quoted}";

    public static async Task AssertTablesEqualAsync(DistributionPlan plan, TestDatabase source, string targetConnectionString)
    {
        foreach (var table in plan.Tables)
        {
            var expected = await FingerprintAsync(source.ConnectionString, SourceRows(table));
            var actual = await FingerprintAsync(targetConnectionString, TargetRows(table));
            Assert.True(expected == actual, $"{table.Name}: source {expected}, target {actual}");
        }
    }
}
