using System.Diagnostics;
using Follow.IntegrationTests.Cli;
using Follow.IntegrationTests.Infrastructure;

namespace Follow.IntegrationTests.Stream;

/// <summary>What the stream and worker tests share: connections, endpos, comparison, a numbered writer, waiting.</summary>
internal static class StreamKit
{
    public static string[] Arguments(TestDatabase source, TestDatabase target, string rules) =>
        ["--slot-name", source.Name, "--source", source.Uri, "--target", target.Uri, "--rules", rules];

    public static async Task<FollowProcess.Result> CompareAsync(TestDatabase source, TestDatabase target, string rules) =>
        await FollowProcess.RunAsync(["compare", "data", "--source", source.Uri, "--target", target.Uri, "--rules", rules]);

    public static async Task SetEndposAsync(TestDatabase source, TestDatabase target, string? lsn = null)
    {
        var result = lsn is null
            ? await FollowProcess.RunAsync("sentinel", "set", "endpos", "--current", "--source", source.Uri, "--target", target.Uri)
            : await FollowProcess.RunAsync("sentinel", "set", "endpos", lsn, "--target", target.Uri);
        Assert.True(result.ExitCode == 0, result.Error);
    }

    /// <summary>
    /// Runs one statement again and again, each in a transaction of its own with its number as $1, until stopped;
    /// returns how many committed.
    /// </summary>
    public static Task<long> WriteNumberedAsync(TestDatabase source, string sql, TimeSpan pause, CancellationToken stop) => Task.Run(async () =>
    {
        await using var connection = await source.OpenAsync();
        long n = 0;
        while (!stop.IsCancellationRequested)
        {
            n++;
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = n });
            await command.ExecuteNonQueryAsync();
            if (pause > TimeSpan.Zero) await Task.Delay(pause);
        }
        return n;
    });

    public static async Task WaitOrKillAsync(Process follower, TimeSpan limit, Task<string> error)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await follower.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            follower.Kill(entireProcessTree: true);
            await follower.WaitForExitAsync();
            Assert.Fail($"the follower did not exit within {limit.TotalSeconds} s:\n{await error}");
        }
    }

}
