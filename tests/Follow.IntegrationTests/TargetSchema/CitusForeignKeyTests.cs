using Follow.Connections;
using Follow.Discovery;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using Follow.Planning;
using Follow.Rules;
using Npgsql;

namespace Follow.IntegrationTests.TargetSchema;

/// <summary>
/// Citus' rules for foreign keys on a real cluster (FOLLOW_TEST_CITUS_URI): every key the plan accepts is created
/// as planned by follow clone; every key it refuses is refused before anything changes, and Citus refuses it too.
/// </summary>
public sealed class CitusForeignKeyTests
{
    private static string RulesFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"follow-{Guid.NewGuid():N}.rules");
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<FollowProcess.Result> CloneAsync(TestDatabase source, CitusDatabase target, string rules) =>
        FollowProcess.RunAsync("clone", "--schema-only", "--source", source.Uri, "--target", target.ConnectionString, "--rules", rules, "--shard-count", "2");

    /// <summary>A session that keeps the server's error detail, where Citus gives its reasons.</summary>
    private static async Task<NpgsqlConnection> OpenAsync(CitusDatabase database)
    {
        var builder = database.Connection.ToNpgsqlBuilder();
        builder.IncludeErrorDetail = true;
        // Not pooled: the database is dropped at the end, and its pool is cleared by the other connection string only.
        builder.Pooling = false;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The foreign keys of the tables in public, shards left out, as <see cref="CitusForeignKeyCases.AcceptedKeys"/> writes them.</summary>
    private static async Task<List<(string Table, string Key, string Columns, string Referenced, char OnUpdate, char OnDelete)>> ForeignKeysAsync(
        CitusDatabase database)
    {
        const string sql = """
            SELECT c.conrelid::regclass::text, c.conname,
                   (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num),
                   c.confrelid::regclass::text || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY AS k(num, ord)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num) || ')',
                   c.confupdtype::text, c.confdeltype::text
              FROM pg_constraint c
             WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND NOT relation_is_a_known_shard(c.conrelid)
             ORDER BY 1, 2
            """;
        var keys = new List<(string, string, string, string, char, char)>();
        await using var connection = await OpenAsync(database);
        await using var reader = await new NpgsqlCommand(sql, connection).ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)[0], reader.GetString(5)[0]));
        }
        return keys;
    }

    [CitusFact]
    public async Task Every_key_the_plan_accepts_is_created_on_citus_as_planned()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_fk_accepted");
        await source.ExecuteAsync(CitusForeignKeyCases.AcceptedSource);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_fk_accepted");
        var rules = RulesFile(CitusForeignKeyCases.AcceptedRules);

        var result = await CloneAsync(source, target, rules);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(CitusForeignKeyCases.AcceptedKeys, await ForeignKeysAsync(target));
        await using (var connection = await source.OpenAsync())
        {
            var plan = DistributionPlanner.Plan(await CatalogReader.ReadAsync(connection, CancellationToken.None), RulesParser.ParseFile(rules));
            Assert.Equal(
                plan.Tables.SelectMany(t => t.ForeignKeys.Select(f => f.Name)).Order(),
                CitusForeignKeyCases.AcceptedKeys.Select(k => k.Key).Order());
            Assert.All(plan.Warnings.Where(w => w.Contains("ON UPDATE NO ACTION instead of")), w => Assert.Contains(w, result.Error));
            Assert.Equal(6, plan.Warnings.Count(w => w.Contains("ON UPDATE NO ACTION instead of")));
        }

        // Reference tables ('t'), the local tables Citus took into its metadata for their keys ('s'), the others untouched.
        var metadata = new List<(string, string)>();
        await using (var connection = await OpenAsync(target))
        await using (var reader = await new NpgsqlCommand(
            "SELECT logicalrelid::text, repmodel::text FROM pg_dist_partition WHERE partmethod = 'n' ORDER BY 1", connection).ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) metadata.Add((reader.GetString(0), reader.GetString(1)));
        }
        Assert.Equal(
            [("admins", "s"), ("audit", "s"), ("audit_default", "s"), ("countries", "t"), ("currencies", "s"), ("regions", "t"), ("store", "t")],
            metadata);
        File.Delete(rules);
    }

    [CitusFact]
    public async Task Every_key_the_plan_refuses_is_refused_before_any_change_and_citus_refuses_it_too()
    {
        var servers = await PostgresServers.GetAsync();
        await using var target = await CitusServer.CreateDatabaseAsync("citus_fk_refused");
        foreach (var @case in CitusForeignKeyCases.Refused)
        {
            await using var source = await servers.Source.CreateDatabaseAsync("citus_fk_refused");
            await source.ExecuteAsync(@case.Source);
            var rules = RulesFile(@case.Rules);

            var result = await CloneAsync(source, target, rules);

            Assert.True(result.ExitCode == 2, $"{@case}: exit {result.ExitCode}\n{result.All}");
            Assert.True(result.Error.Contains(@case.Problem), $"{@case}: the refusal does not say \"{@case.Problem}\":\n{result.Error}");
            Assert.True(result.Error.Contains("fix:"), $"{@case}: the refusal names no fix:\n{result.Error}");
            Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'S')"));
            Assert.Null(await target.ScalarAsync<string>("SELECT nspname::text FROM pg_namespace WHERE nspname = 'follow'"));

            await using var connection = await OpenAsync(target);
            await using var transaction = await connection.BeginTransactionAsync();
            await new NpgsqlCommand("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'; SET LOCAL citus.shard_count TO 2", connection, transaction).ExecuteNonQueryAsync();
            var citus = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(@case.Citus, connection, transaction).ExecuteNonQueryAsync());
            Assert.True((citus.MessageText + " " + citus.Detail).Contains(@case.CitusError), $"{@case}: Citus said: {citus.MessageText} ({citus.Detail})");
            // The transaction is rolled back when the session ends: the next case starts from an empty database.
            File.Delete(rules);
        }
    }

    [CitusFact]
    public async Task The_keys_the_plan_rewrites_are_those_citus_refuses_as_the_source_has_them()
    {
        await using var target = await CitusServer.CreateDatabaseAsync("citus_fk_rewritten");
        await using var connection = await OpenAsync(target);
        await new NpgsqlCommand("""
            CREATE TABLE store (store_id bigint PRIMARY KEY);
            CREATE TABLE inventory (store_id bigint, id bigint, PRIMARY KEY (store_id, id));
            SELECT create_reference_table('store');
            SELECT create_distributed_table('inventory', 'store_id', shard_count => 2);
            CREATE TABLE campaigns (company_id bigint, id bigint, PRIMARY KEY (company_id, id));
            CREATE TABLE ads (company_id bigint, id bigint, campaign_id bigint, PRIMARY KEY (company_id, id));
            SELECT create_distributed_table('campaigns', 'company_id', colocate_with => 'inventory');
            SELECT create_distributed_table('ads', 'company_id', colocate_with => 'inventory');
            """, connection).ExecuteNonQueryAsync();

        foreach (var action in new[] { "CASCADE", "SET NULL", "SET DEFAULT" })
        {
            foreach (var key in new[]
            {
                "ALTER TABLE inventory ADD FOREIGN KEY (store_id) REFERENCES store (store_id) ON UPDATE " + action,
                "ALTER TABLE ads ADD FOREIGN KEY (company_id, campaign_id) REFERENCES campaigns (company_id, id) ON UPDATE " + action,
            })
            {
                var refused = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(key, connection).ExecuteNonQueryAsync());
                Assert.Contains("SET NULL, SET DEFAULT or CASCADE is not supported in ON UPDATE operation", refused.Detail);
            }
        }
        await new NpgsqlCommand("ALTER TABLE inventory ADD FOREIGN KEY (store_id) REFERENCES store (store_id)", connection).ExecuteNonQueryAsync();
    }

    [CitusFact]
    public async Task When_citus_refuses_follows_own_ddl_the_message_gives_citus_reason()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_fk_detail");
        await source.ExecuteAsync("""
            CREATE TABLE store (store_id bigint PRIMARY KEY);
            CREATE TABLE inventory (id bigint PRIMARY KEY, store_id bigint NOT NULL REFERENCES store (store_id) ON UPDATE CASCADE);
            """);
        await using var target = await CitusServer.CreateDatabaseAsync("citus_fk_detail");
        Model.Catalog catalog;
        await using (var connection = await source.OpenAsync()) catalog = await CatalogReader.ReadAsync(connection, CancellationToken.None);
        var plan = DistributionPlanner.Plan(catalog, RulesParser.Parse("distribute store as reference table\ndistribute inventory using store_id", "test.rules"));
        // The key as the planner would have left it before it knew this rule of Citus.
        var inventory = plan.Get(new Model.QualifiedName("public", "inventory"));
        var fk = Assert.Single(inventory.ForeignKeys);
        var asBefore = plan with
        {
            Tables = [.. plan.Tables.Select(t => t == inventory ? t with { ForeignKeys = [fk with { Rewritten = false, OnUpdate = fk.Source.OnUpdate }] } : t)],
        };
        var cloner = new Follow.TargetSchema.SchemaCloner(asBefore, catalog, ConnectionInfo.Parse(source.Uri, "test"), target.Connection,
            Follow.TargetSchema.PgTools.Locate(Environment.GetEnvironmentVariable), new Follow.TargetSchema.SchemaCloneOptions(ShardCount: 2),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var failed = await Assert.ThrowsAsync<Follow.Diagnostics.FollowException>(async () =>
        {
            try
            {
                await cloner.CheckAsync(CancellationToken.None);
                await cloner.DumpAsync(null, CancellationToken.None);
                await cloner.CreateAsync(CancellationToken.None);
                await cloner.FinishAsync(CancellationToken.None);
            }
            finally
            {
                cloner.Cleanup();
                // The cloner's idle sessions keep sessions of their own on the workers, where the database is dropped too.
                NpgsqlConnection.ClearAllPools();
            }
        });

        Assert.Contains("inventory_store_id_fkey", failed.Message);
        Assert.Contains("SET NULL, SET DEFAULT or CASCADE is not supported in ON UPDATE operation when distribution key included in the foreign constraint", failed.Message);
    }
}
