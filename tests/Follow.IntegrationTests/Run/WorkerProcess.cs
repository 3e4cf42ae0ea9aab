using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Follow.IntegrationTests.Cli;

namespace Follow.IntegrationTests.Run;

/// <summary>
/// <c>follow run</c> as a separate process, its HTTP endpoint on a free port of 127.0.0.1, found in its log; the log
/// is kept for assertion messages.
/// </summary>
internal sealed partial class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;
    // A loaded CI machine (a Citus cluster and two PostgreSQL servers on two cores) can take seconds to answer.
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private WorkerProcess(Process process)
    {
        _process = process;
        _reading = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_log) _log.AppendLine(line);
                if (Listening().Match(line) is { Success: true } match) _address.TrySetResult(new Uri(match.Groups[1].Value));
            }
            _address.TrySetException(new InvalidOperationException($"follow run ended before it listened:\n{Log}"));
        });
        _ = process.StandardOutput.ReadToEndAsync();
    }

    public static WorkerProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        new(FollowProcess.Start(environment, ["run", .. args, "--Follow:Http:Address=127.0.0.1", "--Follow:Http:Port=0", "--Follow:LagInterval=00:00:00.5"]));

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>The worker's HTTP endpoint, once it listens.</summary>
    public Task<Uri> AddressAsync() => _address.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        var address = await _address.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var response = await _http.GetAsync(new Uri(address, path));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonElement> StatusAsync()
    {
        var (status, body) = await GetAsync("/status");
        Assert.True(status == 200, $"/status answered {status}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>Polls /status until the condition holds; fails with the log when the worker exits or time runs out.</summary>
    public async Task<JsonElement> WaitForStatusAsync(Func<JsonElement, bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            Assert.False(HasExited, $"follow run exited ({(HasExited ? ExitCode : 0)}) while waiting for {what}:\n{Log}");
            var status = await StatusAsync();
            if (condition(status)) return status;
            Assert.True(DateTime.UtcNow < deadline, $"no {what} in time; last status:\n{status}\n{Log}");
            await Task.Delay(100);
        }
    }

    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a container runtime stops the worker.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            await _reading;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _http.Dispose();
    }

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex Listening();
}
