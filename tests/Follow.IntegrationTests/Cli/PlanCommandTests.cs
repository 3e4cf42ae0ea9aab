using System.Text.Json;
using Follow.IntegrationTests.Infrastructure;

namespace Follow.IntegrationTests.Cli;

public sealed class PlanCommandTests
{
    private const string Password = "Pa55-w0rd!x";

    private static async Task<TestDatabase> AdPlatformAsync(string hint)
    {
        var servers = await PostgresServers.GetAsync();
        var database = await servers.Source.CreateDatabaseAsync(hint);
        await database.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        return database;
    }

    private static string WithPassword(TestDatabase database) =>
        $"postgres://postgres:{Password}@127.0.0.1:{database.Server.Port}/{database.Name}";

    [Fact]
    public async Task Plan_prints_a_table_of_categories_paths_keys_and_colocation()
    {
        await using var database = await AdPlatformAsync("cli_plan_text");

        var result = await FollowProcess.RunAsync("plan", "--source", database.Uri, "--rules", SamplePaths.Get("ad-platform", "rules.txt"));

        Assert.Equal(0, result.ExitCode);
        var header = result.Output.Split('\n')[0];
        foreach (var column in new[] { "table", "category", "distribution column", "backfill path", "new primary key", "colocated with" })
        {
            Assert.Contains(column, header);
        }
        var impressions = result.Output.Split('\n').Single(l => l.StartsWith("public.impressions "));
        Assert.Contains("distributed, backfill", impressions);
        Assert.Contains("public.ads, public.campaigns", impressions);
        Assert.Contains("(company_id, id)", impressions);
        Assert.Contains("public.companies", impressions);
    }

    [Fact]
    public async Task Plan_json_gives_scripts_every_table_and_the_calls_in_order()
    {
        await using var database = await AdPlatformAsync("cli_plan_json");

        var result = await FollowProcess.RunAsync("plan", "--json", "--source", database.Uri, "--rules", SamplePaths.Get("ad-platform", "rules.txt"));

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var tables = json.RootElement.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal("distributed-ready", tables["campaigns"].GetProperty("category").GetString());
        Assert.Equal("distributed-backfill", tables["clicks"].GetProperty("category").GetString());
        Assert.Equal(["public.ads", "public.campaigns"], tables["clicks"].GetProperty("backfillPath").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["company_id", "id"], tables["ads"].GetProperty("primaryKey").GetProperty("columns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ["public.companies", "public.campaigns", "public.ads", "public.clicks", "public.impressions"],
            json.RootElement.GetProperty("distributionCalls").EnumerateArray().Select(c => c.GetProperty("table").GetString()));
    }

    [Fact]
    public async Task A_refused_plan_exits_2_and_names_the_table()
    {
        var servers = await PostgresServers.GetAsync();
        await using var database = await servers.Source.CreateDatabaseAsync("cli_refused");
        await database.ExecuteFileAsync(SamplePaths.Get("storefront", "schema.sql"));
        var rules = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.rules");
        await File.WriteAllTextAsync(rules, "distribute stores using store_id\n");

        var result = await FollowProcess.RunAsync("plan", "--source", database.Uri, "--rules", rules);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("public.line_items", result.Error);
        Assert.Contains("nothing was changed", result.Error);
        File.Delete(rules);
    }

    [Fact]
    public async Task A_rules_syntax_error_exits_2_naming_file_line_and_column()
    {
        await using var database = await AdPlatformAsync("cli_syntax");
        var rules = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.rules");
        await File.WriteAllTextAsync(rules, "distribute companies using id\ndistribute ads usin company_id\n");

        var result = await FollowProcess.RunAsync("plan", "--source", database.Uri, "--rules", rules);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{rules}:2:16:", result.Error);
        File.Delete(rules);
    }

    [Fact]
    public async Task Check_paths_counts_the_rows_whose_two_paths_disagree()
    {
        var servers = await PostgresServers.GetAsync();
        await using var database = await servers.Source.CreateDatabaseAsync("cli_check_paths");
        await database.ExecuteFileAsync(SamplePaths.Get("storefront", "schema.sql"));
        await database.ExecuteAsync("""
            INSERT INTO stores (store_id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'a'), ('00000000-0000-0000-0000-000000000002', 'b');
            INSERT INTO products (product_id, store_id, name, price) VALUES (1, '00000000-0000-0000-0000-000000000001', 'p1', 1), (2, '00000000-0000-0000-0000-000000000002', 'p2', 2);
            INSERT INTO orders (order_id, store_id) VALUES (1, '00000000-0000-0000-0000-000000000001');
            INSERT INTO line_items (order_id, product_id, quantity) VALUES (1, 1, 1), (1, 2, 1), (1, 2, 3);
            """);
        var rules = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.rules");
        await File.WriteAllTextAsync(rules, "distribute stores using store_id\ndistribute line_items using store_id from orders\n");

        var result = await FollowProcess.RunAsync("plan", "--json", "--check-paths", "--source", database.Uri, "--rules", rules);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var lineItems = json.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "line_items");
        var alternative = Assert.Single(lineItems.GetProperty("alternativePaths").EnumerateArray().ToList());
        Assert.Equal(2, alternative.GetProperty("disagreeingRows").GetInt64());
        File.Delete(rules);
    }

    [Fact]
    public async Task The_command_line_source_wins_over_the_environment_and_the_load_file()
    {
        await using var database = await AdPlatformAsync("cli_precedence");
        var load = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.load");
        await File.WriteAllTextAsync(load, "load database from pgsql://nobody@127.0.0.1:1/nowhere into pgsql://nobody@127.0.0.1:1/x\ndistribute companies using id;\n");
        var unreachable = new Dictionary<string, string> { ["FOLLOW_SOURCE_PGURI"] = "postgres://nobody@127.0.0.1:2/nowhere" };
        var reachable = new Dictionary<string, string> { ["FOLLOW_SOURCE_PGURI"] = database.Uri };

        var commandLine = await FollowProcess.RunAsync(unreachable, "plan", "--source", database.Uri, "--rules", load);
        var environment = await FollowProcess.RunAsync(reachable, "plan", "--rules", load);
        var loadFile = await FollowProcess.RunAsync("plan", "--rules", load);

        Assert.Equal(0, commandLine.ExitCode);
        Assert.Equal(0, environment.ExitCode);
        Assert.Equal(6, loadFile.ExitCode);
        Assert.Contains("127.0.0.1:1/nowhere", loadFile.Error);
        File.Delete(load);
    }

    [Fact]
    public async Task A_password_never_appears_in_logs_errors_or_help()
    {
        await using var database = await AdPlatformAsync("cli_password");
        var environment = new Dictionary<string, string> { ["FOLLOW_SOURCE_PGURI"] = WithPassword(database) };
        var rules = SamplePaths.Get("ad-platform", "rules.txt");

        var runs = new[]
        {
            await FollowProcess.RunAsync(environment, "--help"),
            await FollowProcess.RunAsync(environment, "plan", "--help"),
            await FollowProcess.RunAsync(environment, "plan", "--rules", rules),
            await FollowProcess.RunAsync("plan", "--source", WithPassword(database), "--rules", rules),
            await FollowProcess.RunAsync("plan", "--source", $"postgres://postgres:{Password}@127.0.0.1:1/none", "--rules", rules),
            await FollowProcess.RunAsync("plan", "--source", $"host=127.0.0.1 port=1 password={Password} colour=blue", "--rules", rules),
            await FollowProcess.RunAsync("plan", "--source", $"postgres://postgres:{Password}@127.0.0.1:{database.Server.Port}/no_such_db", "--rules", rules),
        };

        Assert.Equal([0, 0, 0, 0, 6, 2, 6], runs.Select(r => r.ExitCode));
        Assert.Contains("read the catalog of postgres://postgres@127.0.0.1", runs[2].Error);
        Assert.All(runs, r => Assert.DoesNotContain(Password, r.All));
    }

    [Fact]
    public async Task Rules_can_come_from_configuration_lines()
    {
        await using var database = await AdPlatformAsync("cli_config_rules");
        var environment = new Dictionary<string, string>
        {
            ["FOLLOW_SOURCE_PGURI"] = database.Uri,
            ["Follow__Rules__0"] = "distribute companies using id",
            ["Follow__Rules__1"] = "cast column impressions.seen_at to \"timestamptz\"",
        };

        var result = await FollowProcess.RunAsync(environment, "plan", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var impressions = json.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "impressions");
        Assert.Equal("distributed-backfill", impressions.GetProperty("category").GetString());
        Assert.Equal("timestamptz", impressions.GetProperty("casts")[0].GetProperty("to").GetString());
    }

    [Fact]
    public async Task A_configuration_rule_error_names_the_configuration_line()
    {
        await using var database = await AdPlatformAsync("cli_config_error");
        var environment = new Dictionary<string, string>
        {
            ["FOLLOW_SOURCE_PGURI"] = database.Uri,
            ["Follow__Rules__0"] = "distribute companies using id",
            ["Follow__Rules__1"] = "distribute ads frm campaigns",
        };

        var result = await FollowProcess.RunAsync(environment, "plan");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("configuration Follow:Rules:2:16:", result.Error);
    }
}
