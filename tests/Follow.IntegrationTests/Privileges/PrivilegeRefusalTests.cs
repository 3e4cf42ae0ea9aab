using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;

namespace Follow.IntegrationTests.Privileges;

/// <summary>A missing right is refused with exit 2 and its grant, before anything changes on either side.</summary>
public sealed class PrivilegeRefusalTests
{
    private static readonly string Rules = SamplePaths.Get("ad-platform", "rules.txt");

    private static async Task<FollowProcess.Result> CloneAsync(TestDatabase source, string sourceUri, string targetUri) =>
        await FollowProcess.RunAsync("clone", "--follow", "--slot-name", source.Name, "--source", sourceUri, "--target", targetUri, "--rules", Rules);

    /// <summary>Not even Follow's schema on the target, nor a slot or a publication on the source.</summary>
    private static async Task AssertNothingChangedAsync(TestDatabase source, TestDatabase target)
    {
        Assert.True(await target.ScalarAsync<bool>("SELECT to_regnamespace('follow') IS NULL"), "the target has a follow schema");
        Assert.Null(await target.ScalarAsync<string>("SELECT to_regclass('public.ads')::text"));
        // Slots belong to the server, which other tests share: this database's only.
        Assert.Equal(0L, await source.ScalarAsync<long>("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"));
        Assert.Equal(0L, await source.ScalarAsync<long>("SELECT count(*) FROM pg_publication"));
    }

    [Fact]
    public async Task A_source_role_without_the_replication_right_is_refused_naming_the_grant_on_each_service()
    {
        var (source, target) = await AdPlatformAsync("priv_no_replication", 0.01);
        await using var _ = source;
        await using var __ = target;
        await using var roles = new Roles();
        var role = await roles.CreateAsync(source, Roles.NewName("src_norepl"));
        await Roles.GiveTablesAsync(source, role);
        await source.ExecuteAsync($"GRANT CREATE ON DATABASE \"{source.Name}\" TO \"{role}\"");

        var result = await CloneAsync(source, Roles.Uri(source, role), target.Uri);

        Assert.True(result.ExitCode == 2, result.Error);
        Assert.Contains($"the role {role} may not stream changes", result.Error);
        Assert.Contains($"ALTER ROLE {role} WITH REPLICATION", result.Error);
        Assert.Contains($"GRANT rds_replication TO {role}", result.Error);
        await AssertNothingChangedAsync(source, target);
    }

    [Fact]
    public async Task A_published_table_the_source_role_does_not_own_is_refused_naming_it()
    {
        var (source, target) = await AdPlatformAsync("priv_not_owner", 0.01);
        await using var _ = source;
        await using var __ = target;
        await using var roles = new Roles();
        var role = await roles.CreateAsync(source, Roles.NewName("src_owner"), "REPLICATION");
        await Roles.GiveTablesAsync(source, role, "clicks");
        await source.ExecuteAsync($"GRANT CREATE ON DATABASE \"{source.Name}\" TO \"{role}\"; GRANT SELECT ON clicks, clicks_id_seq TO \"{role}\"");

        var result = await CloneAsync(source, Roles.Uri(source, role), target.Uri);

        Assert.True(result.ExitCode == 2, result.Error);
        Assert.Contains($"does not own the table public.clicks", result.Error);
        Assert.Contains($"ALTER TABLE public.clicks OWNER TO {role}", result.Error);
        Assert.DoesNotContain("public.ads", result.Error);
        await AssertNothingChangedAsync(source, target);
    }

    [Fact]
    public async Task A_target_role_without_create_on_the_database_is_refused_naming_the_grant()
    {
        var (source, target) = await AdPlatformAsync("priv_no_create", 0.01);
        await using var _ = source;
        await using var __ = target;
        await using var roles = new Roles();
        var role = await roles.CreateAsync(target, Roles.NewName("tgt_nocreate"));

        var result = await CloneAsync(source, source.Uri, Roles.Uri(target, role));

        Assert.True(result.ExitCode == 2, result.Error);
        Assert.Contains($"GRANT CREATE ON DATABASE {target.Name} TO {role}", result.Error);
        await AssertNothingChangedAsync(source, target);
    }

    [Fact]
    public async Task Every_missing_right_of_both_sides_is_listed_in_one_refusal()
    {
        var (source, target) = await AdPlatformAsync("priv_all", 0.01);
        await using var _ = source;
        await using var __ = target;
        await using var roles = new Roles();
        var sourceRole = await roles.CreateAsync(source, Roles.NewName("src_none"));
        var targetRole = await roles.CreateAsync(target, Roles.NewName("tgt_none"));

        var result = await CloneAsync(source, Roles.Uri(source, sourceRole), Roles.Uri(target, targetRole));

        Assert.True(result.ExitCode == 2, result.Error);
        Assert.Contains($"GRANT CREATE ON DATABASE {source.Name} TO {sourceRole}", result.Error);
        Assert.Contains("does not own the table public.ads", result.Error);
        Assert.Contains("GRANT SELECT ON public.companies, public.campaigns, public.ads", result.Error);
        Assert.Contains("public.ads_id_seq", result.Error);
        Assert.Contains($"ALTER ROLE {sourceRole} WITH REPLICATION", result.Error);
        Assert.Contains($"GRANT CREATE ON DATABASE {target.Name} TO {targetRole}", result.Error);
        await AssertNothingChangedAsync(source, target);
    }
}
