using System.Diagnostics;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;
using static Follow.IntegrationTests.Snapshot.CopyFixture;
using static Follow.IntegrationTests.Stream.StreamKit;

namespace Follow.IntegrationTests.Stream;

/// <summary>What the follower holds in memory while it streams a transaction far larger than its hand-over.</summary>
public sealed class MemoryTests
{
    private const int Rows = 1_000_000;
    private const long PeakLimitBytes = 150L << 20;

    [Fact]
    public async Task One_transaction_of_a_million_400_byte_rows_streams_within_150_MB_and_lands_whole()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("stream_memory");
        await using var target = await servers.Target.CreateDatabaseAsync("stream_memory");
        await source.ExecuteAsync("CREATE TABLE wide (id bigint PRIMARY KEY, note text, payload text)");
        var rules = RulesFile("distribute wide as reference table\n");
        var clone = await FollowProcess.RunAsync(["clone", .. Arguments(source, target, rules)]);
        Assert.True(clone.ExitCode == 0, clone.Error);

        await source.ExecuteAsync(
            $"INSERT INTO wide SELECT g, 'row ' || g, repeat(md5(g::text), 12) || repeat('x', 4) FROM generate_series(1, {Rows}) g");
        await SetEndposAsync(source, target);

        using var follower = FollowProcess.Start(null, ["follow", .. Arguments(source, target, rules)]);
        var error = follower.StandardError.ReadToEndAsync();
        var output = follower.StandardOutput.ReadToEndAsync();
        long peak = 0;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (!follower.HasExited && DateTime.UtcNow < deadline)
        {
            peak = Math.Max(peak, HighWaterMark(follower.Id));
            await Task.Delay(50);
        }
        if (!follower.HasExited) follower.Kill(entireProcessTree: true);
        await follower.WaitForExitAsync();
        await output;

        Assert.True(follower.ExitCode == 0, await error);
        Assert.Equal(Rows, await target.ScalarAsync<long>("SELECT count(*) FROM wide"));
        Assert.Equal(0, (await CompareAsync(source, target, rules)).ExitCode);
        Assert.True(peak > 0, "the follower's memory could not be read");
        Assert.True(peak <= PeakLimitBytes, $"the follower peaked at {peak >> 20} MB RSS, over {PeakLimitBytes >> 20} MB");
    }

    /// <summary>The process's peak resident set so far (VmHWM), in bytes; 0 once it is gone.</summary>
    private static long HighWaterMark(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
