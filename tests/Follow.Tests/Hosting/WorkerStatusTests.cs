using Follow.Cli.Hosting;
using Follow.Diagnostics;
using Follow.Pipeline;
using NpgsqlTypes;

namespace Follow.Tests.Hosting;

public sealed class WorkerStatusTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Start = new(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);

    private static SlotLag Slot(string current, string confirmed, double? seconds = null) =>
        new(Start, NpgsqlLogSequenceNumber.Parse(current), NpgsqlLogSequenceNumber.Parse(confirmed), true, seconds);

    [Fact]
    public void The_lag_in_seconds_runs_from_the_oldest_unapplied_commit_until_the_target_commits_it()
    {
        var clock = new ManualClock(Start);
        var status = new FollowStatus(clock);
        status.Enter(FollowPhase.Streaming);
        status.Sampled(Slot("0/3000000", "0/1000000"));

        status.Applying(Start.AddSeconds(-30));
        status.Applying(Start.AddSeconds(-5));
        clock.Now = Start.AddSeconds(10);
        Assert.Equal(40, status.Snapshot().LagSeconds);
        Assert.Equal(0x2000000L, status.Snapshot().LagBytes);

        status.Applied(NpgsqlLogSequenceNumber.Parse("0/2000000"));
        Assert.Equal(0, status.Snapshot().LagSeconds);
        Assert.Equal("0/2000000", status.Snapshot().AppliedLsn.ToString());
    }

    [Fact]
    public void Without_a_sample_the_lag_is_unknown_and_a_confirmed_position_past_the_source_is_no_lag()
    {
        var status = new FollowStatus();
        Assert.Null(status.Snapshot().LagBytes);
        Assert.Null(status.Snapshot().LagSeconds);

        status.Sampled(Slot("0/1000000", "0/1000100"));
        Assert.Equal(0L, status.Snapshot().LagBytes);
    }

    [Theory]
    [InlineData(FollowPhase.Copy, "0/1000000", 0, false, "phase copy")]
    [InlineData(FollowPhase.Streaming, "0/1000000", 0, true, "streaming")]
    [InlineData(FollowPhase.Streaming, "0/3000000", 0, false, "more than 16 MB")]
    [InlineData(FollowPhase.Streaming, "0/1000000", 12.5, false, "more than 10 s")]
    public void Ready_for_cutover_means_streaming_with_the_lag_under_both_limits(FollowPhase phase, string current, double seconds, bool ready, string reason)
    {
        var status = new FollowStatus();
        status.Enter(phase);
        status.Sampled(Slot(current, "0/1000000", seconds == 0 ? null : seconds));

        var (isReady, why) = StatusEndpoints.Cutover(status.Snapshot(), new ReadySettings());

        Assert.Equal(ready, isReady);
        Assert.Contains(reason, why);
    }

    [Theory]
    [InlineData(FollowPhase.Starting, false)]
    [InlineData(FollowPhase.Schema, true)]
    [InlineData(FollowPhase.Copy, true)]
    [InlineData(FollowPhase.PostData, true)]
    [InlineData(FollowPhase.Streaming, true)]
    [InlineData(FollowPhase.Finishing, true)]
    [InlineData(FollowPhase.Failed, false)]
    public void Ready_for_kubernetes_means_at_work_through_the_copy_and_not_failed(FollowPhase phase, bool ready)
    {
        var status = new FollowStatus();
        status.Enter(phase, phase == FollowPhase.Failed ? "the source went away" : null);

        var (isReady, why) = StatusEndpoints.Working(status.Snapshot());

        Assert.Equal(ready, isReady);
        Assert.Contains(phase.Key(), why);
    }

    [Fact]
    public void The_last_lost_connection_is_kept_with_its_time()
    {
        var clock = new ManualClock(Start);
        var status = new FollowStatus(clock);
        Assert.Null(status.Snapshot().LastInterruption);

        status.Interrupted("the source went away");
        clock.Now = Start.AddMinutes(1);
        status.Interrupted("the target went away");

        Assert.Equal(new Interruption(Start.AddMinutes(1), "the target went away"), status.Snapshot().LastInterruption);
    }

    [Fact]
    public void A_failed_phase_keeps_its_error()
    {
        var status = new FollowStatus();
        status.Enter(FollowPhase.Failed, "the source went away");
        Assert.Equal("the source went away", status.Snapshot().Error);
        Assert.Equal("post-data", FollowPhase.PostData.Key());
    }

    [Theory]
    [InlineData("TableJobs", "FOLLOW__TABLEJOBS")]
    [InlineData("Http:Port", "FOLLOW__HTTP__PORT")]
    public void A_bad_setting_is_refused_naming_the_setting_and_where_to_give_it(string key, string variable)
    {
        var settings = new RunSettings();
        if (key == "TableJobs") settings.TableJobs = 0;
        else settings.Http.Port = 70000;

        var error = Assert.Throws<BadInputException>(settings.Validate);

        Assert.Contains($"Follow:{key}", error.Message);
        Assert.Contains(variable, error.Message);
    }
}
