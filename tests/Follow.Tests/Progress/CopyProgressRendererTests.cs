using Follow.Cli.Output;
using Follow.Progress;
using Microsoft.Extensions.Logging;

namespace Follow.Tests.Progress;

public sealed class CopyProgressRendererTests
{
    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }

    private static JobProgress Job(string table, JobState state, long rows) =>
        new(table, state, rows, EstimatedRows: 1000, Bytes: rows * 1024, TimeSpan.FromSeconds(rows / 100.0));

    [Fact]
    public async Task Without_a_terminal_it_logs_each_running_table_and_ends_when_every_job_finished()
    {
        var reads = new Queue<IReadOnlyList<JobProgress>>(
        [
            [Job("public.ads", JobState.Running, 200), Job("public.clicks", JobState.Pending, 0)],
            [Job("public.ads", JobState.Completed, 1000), Job("public.clicks", JobState.Running, 500)],
            [Job("public.ads", JobState.Completed, 1000), Job("public.clicks", JobState.Completed, 1000)],
        ]);
        var logger = new ListLogger();
        var renderer = new CopyProgressRenderer(_ => Task.FromResult(reads.Dequeue()), TextWriter.Null, interactive: false, logger)
        {
            LogInterval = TimeSpan.FromMilliseconds(1),
        };

        await renderer.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.Empty(reads);
        Assert.Equal(
        [
            "copying public.ads: 200 of ~1000 rows, 0.2 MB, 100 rows/s, 0.1 MB/s, 0/1 parts done",
            "copying public.clicks: 500 of ~1000 rows, 0.5 MB, 100 rows/s, 0.1 MB/s, 0/1 parts done",
        ], logger.Lines);
    }

    [Fact]
    public async Task A_failing_read_ends_the_display_with_a_warning_not_an_exception()
    {
        var logger = new ListLogger();
        var renderer = new CopyProgressRenderer(_ => throw new InvalidOperationException("connection lost"), TextWriter.Null, interactive: false, logger);

        await renderer.RunAsync(CancellationToken.None);

        Assert.Equal(["the copy progress display stopped: connection lost"], logger.Lines);
    }

    [Fact]
    public async Task In_a_terminal_it_draws_a_bar_for_a_running_table()
    {
        var reads = new Queue<IReadOnlyList<JobProgress>>(
        [
            [Job("public.ads", JobState.Running, 500)],
            [Job("public.ads", JobState.Completed, 1000)],
        ]);
        var output = new StringWriter();
        var renderer = new CopyProgressRenderer(_ => Task.FromResult(reads.Dequeue()), output, interactive: true, new ListLogger())
        {
            RefreshInterval = TimeSpan.FromMilliseconds(1),
        };

        await renderer.RunAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.Empty(reads);
        Assert.Contains("public.ads 0.1 MB/s", output.ToString());
        Assert.Contains("100%", output.ToString());
    }
}
