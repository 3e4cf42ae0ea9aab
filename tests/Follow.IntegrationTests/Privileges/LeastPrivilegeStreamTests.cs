using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Privileges;

/// <summary>
/// A migration as a managed service allows it: no superuser on either side. The source role has the replication right
/// and owns the tables; the target role owns the target database, may call no replication origin function and may
/// not set session_replication_role.
/// </summary>
public sealed class LeastPrivilegeStreamTests
{
    // company_events is written by a trigger on companies, on the source; the stream carries those rows already, so
    // the trigger must not fire again on the target while Follow writes.
    private const string Extra = """
        CREATE TABLE applied_once (n bigint PRIMARY KEY);
        """ + CompanyEvents;

    // A transaction of the workload, its statements in order: an event of an existing company; every tenth time a new
    // company (its event written by the trigger) and one of twenty transactions before deleted, events first; an ad's
    // counter, the oldest click deleted and an impression under that ad. Where the target checks foreign keys, a
    // new company's event written before the company (with the other events) would be refused.
    private const string WorkloadFunction = """
        CREATE FUNCTION workload(n bigint) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO applied_once (n) VALUES (n);
            INSERT INTO company_events (company_id, note) VALUES (1 + n % 10, 'event ' || n);
            IF n % 10 = 0 THEN
                INSERT INTO companies (id, name, created_at, updated_at) VALUES (1000000 + n, 'company ' || n, now(), now());
                DELETE FROM company_events WHERE company_id = 1000000 + n - 20;
                DELETE FROM companies WHERE id = 1000000 + n - 20;
            END IF;
            UPDATE ads SET clicks_count = n WHERE id = 1 + n % 200;
            DELETE FROM clicks WHERE id = (SELECT min(id) FROM clicks);
            INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
            SELECT id, now(), 'https://least', 0.01, '10.5.5.5', jsonb_build_object('n', n) FROM ads WHERE id = 1 + n % 200;
        END $$;
        """;

    private const string Rules = "distribute companies using id\ndistribute applied_once as reference table\n";

    [Fact]
    public async Task Clone_and_follow_without_superusers_with_a_kill_ends_equal_with_every_transaction_once_and_triggers_held()
    {
        var (source, target) = await AdPlatformAsync("least_privilege", 0.01);
        await using var _ = source;
        await using var __ = target;
        await using var roles = new Roles();
        var sourceUri = await SourceAsync(source, roles);
        var targetRole = await roles.CreateAsync(target, Roles.NewName("tgt_owner"));
        await target.ExecuteAsync($"ALTER DATABASE \"{target.Name}\" OWNER TO \"{targetRole}\"");

        var log = await MigrateWithKillAsync(source, sourceUri, Roles.Uri(target, targetRole), target.Uri, q => target.ScalarAsync<long>(q));

        Assert.Contains("may not set session_replication_role", log);
        // The test servers keep WAL for slots without bound.
        Assert.Contains("max_slot_wal_keep_size = -1", log);
        Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_replication_origin"
            + " WHERE roname = 'follow_' || (SELECT oid FROM pg_database WHERE datname = current_database())"));
        // After endpos the trigger is the application's: enabled, and firing.
        Assert.Equal("O", await target.ScalarAsync<string>("SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'companies_log'"));
        await target.ExecuteAsync("INSERT INTO companies (id, name, created_at, updated_at) VALUES (2000001, 'on the target', now(), now())");
        Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM company_events WHERE company_id = 2000001"));
    }

    [CitusFact]
    public async Task On_citus_clone_and_follow_without_superusers_with_a_kill_ends_equal_with_every_transaction_once_and_triggers_held()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("citus_least_privilege");
        await source.ExecuteFileAsync(SamplePaths.Get("ad-platform", "schema.sql"));
        await LoadSampleDataAsync(source, 0.01);
        await using var roles = new Roles();
        var sourceUri = await SourceAsync(source, roles);
        var targetRole = Roles.NewName("tgt_citus");
        var target = await CitusServer.CreateDatabaseAsync("citus_least_privilege");
        try
        {
            // Citus propagates the role and the database's owner to the workers.
            await target.ExecuteAsync($"CREATE ROLE \"{targetRole}\" LOGIN");
            await target.ExecuteAsync($"ALTER DATABASE \"{target.Name}\" OWNER TO \"{targetRole}\"");
            var builder = target.Connection.ToNpgsqlBuilder();
            builder.Username = targetRole;

            await MigrateWithKillAsync(source, sourceUri, builder.ConnectionString, target.ConnectionString, q => target.ScalarAsync<long>(q));

            Assert.Equal("O", await target.ScalarAsync<string>("SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'companies_log'"));
        }
        finally
        {
            await target.DisposeAsync();
            await target.ExecuteOnServerAsync($"DROP ROLE IF EXISTS \"{targetRole}\"");
        }
    }

    /// <summary>The source's extra tables and trigger, and its role: the replication right, the tables' owner; its URI.</summary>
    private static async Task<string> SourceAsync(TestDatabase source, Roles roles)
    {
        await source.ExecuteAsync(Extra + WorkloadFunction);
        var role = await roles.CreateAsync(source, Roles.NewName("src_repl"), "REPLICATION");
        await Roles.GiveTablesAsync(source, role);
        await source.ExecuteAsync($"GRANT CREATE ON DATABASE \"{source.Name}\" TO \"{role}\"");
        return Roles.Uri(source, role);
    }

    /// <summary>
    /// clone --follow as the roles given, the workload, a kill -9 while streaming, follow again until endpos; then the
    /// target equals the source, every transaction once, and the trigger did not fire while Follow wrote. Returns the
    /// clone's log.
    /// </summary>
    private static async Task<string> MigrateWithKillAsync(
        TestDatabase source, string sourceUri, string targetUri, string adminTargetUri, Func<string, Task<long>> targetCount)
    {
        var rules = RulesFile(Rules);
        string[] connections = ["--slot-name", source.Name, "--source", sourceUri, "--target", targetUri, "--rules", rules];
        using var stop = new CancellationTokenSource();
        string log;
        using (var clone = FollowProcess.Start(null, ["clone", "--follow", .. connections]))
        {
            var cloneError = clone.StandardError.ReadToEndAsync();
            var cloneOutput = clone.StandardOutput.ReadToEndAsync();
            await WaitForActiveSlotAsync(source);
            Assert.False(clone.HasExited, clone.HasExited ? await cloneError : null);
            var writer = WriteNumberedAsync(source, "SELECT workload($1)", TimeSpan.FromMilliseconds(5), stop.Token);
            await Task.Delay(1500);
            // kill -9: the follower stops between any two statements.
            clone.Kill(entireProcessTree: true);
            await clone.WaitForExitAsync();
            log = await cloneError;
            Assert.Contains("may not call the replication origin functions", log);

            using var follower = FollowProcess.Start(null, ["follow", .. connections]);
            var error = follower.StandardError.ReadToEndAsync();
            await Task.Delay(1500);
            await stop.CancelAsync();
            var transactions = await writer;
            var endpos = await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", adminTargetUri);
            Assert.True(endpos.ExitCode == 0, endpos.Error);
            await WaitOrKillAsync(follower, TimeSpan.FromSeconds(120), error);
            Assert.True(follower.ExitCode == 0, await error);

            Assert.Equal(transactions, await targetCount("SELECT count(*) FROM applied_once"));
            Assert.True(transactions >= 10, $"only {transactions} transactions");
        }
        var compare = await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", adminTargetUri, "--rules", rules]);
        Assert.True(compare.ExitCode == 0, compare.Output + compare.Error);
        // The trigger did not fire while Follow wrote: as many events as the source has, none doubled.
        Assert.Equal(await source.ScalarAsync<long>("SELECT count(*) FROM company_events"), await targetCount("SELECT count(*) FROM company_events"));
        return log;
    }
}
