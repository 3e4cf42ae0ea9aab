using Follow.Progress;

namespace Follow.Tests.Progress;

public sealed class ProgressSummaryTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static JobProgress Part(int part, JobState state, long rows, double elapsedSeconds, double startOffsetSeconds = 0) =>
        new("public.impressions", state, rows, EstimatedRows: 1000, Bytes: rows * 100, TimeSpan.FromSeconds(elapsedSeconds),
            part, Parts: 4, StartedAt: state == JobState.Pending ? null : Start.AddSeconds(startOffsetSeconds),
            SinceStart: state == JobState.Pending ? null : TimeSpan.FromSeconds(elapsedSeconds));

    [Fact]
    public void Parts_copied_side_by_side_count_their_wall_time_once()
    {
        var line = ProgressSummary.Tables([Part(1, JobState.Completed, 1000, 10), Part(2, JobState.Completed, 1000, 10)]).Single();

        Assert.Equal(TimeSpan.FromSeconds(10), line.Elapsed);
        Assert.Equal(200, line.RowsPerSecond);
    }

    [Fact]
    public void Parts_copied_one_after_the_other_count_from_the_first_start_to_the_last_end()
    {
        var line = ProgressSummary.Tables([Part(1, JobState.Completed, 1000, 10), Part(2, JobState.Completed, 1000, 10, startOffsetSeconds: 10)]).Single();

        Assert.Equal(TimeSpan.FromSeconds(20), line.Elapsed);
        Assert.Equal(100, line.RowsPerSecond);
    }

    [Fact]
    public void A_table_a_resumed_copy_kept_says_from_which_run_and_the_total_does_not()
    {
        var kept = new JobProgress("public.ads", JobState.Completed, 500, 0, 0, TimeSpan.Zero, KeptFrom: 2);
        var copied = Part(1, JobState.Running, 10, 1);

        var lines = ProgressSummary.Tables([kept, copied]);

        Assert.Equal(2L, lines.Single(l => l.Name == "public.ads").KeptFrom);
        Assert.Null(lines.Single(l => l.Name == "public.impressions").KeptFrom);
        Assert.Null(ProgressSummary.Total([kept, copied]).KeptFrom);
    }

    [Fact]
    public void A_table_with_one_failed_part_is_failed()
    {
        var line = ProgressSummary.Tables([Part(1, JobState.Running, 10, 1), Part(2, JobState.Failed, 10, 1)]).Single();

        Assert.Equal(JobState.Failed, line.State);
    }

    [Fact]
    public void A_table_with_completed_and_pending_parts_is_running()
    {
        var line = ProgressSummary.Tables([Part(1, JobState.Completed, 1000, 10), Part(2, JobState.Pending, 0, 0)]).Single();

        Assert.Equal(JobState.Running, line.State);
        Assert.Equal(4, line.Parts);
        Assert.Equal(1, line.PartsCompleted);
    }

    [Fact]
    public void Time_left_is_the_rows_still_expected_at_the_current_rate()
    {
        var line = ProgressSummary.Tables([Part(1, JobState.Running, 250, 5), Part(2, JobState.Pending, 0, 0)]).Single();

        Assert.Equal(50, line.RowsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds((2000 - 250) / 50.0), line.TimeLeft);
    }

    [Fact]
    public void Time_left_is_not_estimated_once_the_table_is_completed()
    {
        var line = ProgressSummary.Tables([Part(1, JobState.Completed, 400, 4)]).Single();

        Assert.Null(line.TimeLeft);
        Assert.Equal(100, line.Percent);
    }

    [Fact]
    public void A_running_table_shows_the_wall_time_since_its_start_even_between_updates()
    {
        var running = Part(1, JobState.Running, 100, 2) with { SinceStart = TimeSpan.FromSeconds(7) };

        var line = ProgressSummary.Tables([running]).Single();

        Assert.Equal(TimeSpan.FromSeconds(7), line.Elapsed);
        Assert.Equal(50, line.RowsPerSecond);
    }

    [Fact]
    public void The_total_is_finished_only_when_every_job_completed_or_failed()
    {
        Assert.False(ProgressSummary.IsFinished([Part(1, JobState.Completed, 1, 1), Part(2, JobState.Running, 1, 1)]));
        Assert.True(ProgressSummary.IsFinished([Part(1, JobState.Completed, 1, 1), Part(2, JobState.Failed, 1, 1)]));
        Assert.False(ProgressSummary.IsFinished([]));
    }
}
