using Follow.Diagnostics;
using Follow.Pipeline;
using Follow.Planning;
using Follow.State;
using Follow.Tests.Planning;
using static Follow.Tests.Planning.PlanFixture;

namespace Follow.Tests.Pipeline;

/// <summary>The plan a clone records and what later commands may change of it.</summary>
public sealed class PlanAgreementTests
{
    private static PlanRecord Record(string rules, params string[] filters)
    {
        var text = PlanFingerprint.Text(Plan(SeedCatalogs.AdPlatform(), rules));
        return new PlanRecord(rules, "test.rules", filters, text, PlanFingerprint.Of(text));
    }

    [Fact]
    public void The_fingerprint_is_stable_and_rules_written_otherwise_that_plan_alike_agree()
    {
        var recorded = Record("distribute companies using id");
        var rewritten = Record("-- the root\ndistribute   companies using id\n");

        Assert.Equal(recorded.Fingerprint, rewritten.Fingerprint);
        Assert.Equal(64, recorded.Fingerprint.Length);
        Assert.Contains("public.impressions\tdistributed-backfill by company_id", recorded.Plan);
        PlanAgreement.RefuseOtherPlan(recorded, rewritten, "follow follow");
    }

    [Fact]
    public void Rules_that_plan_a_table_otherwise_are_refused_naming_the_rules_and_the_table()
    {
        var recorded = Record("distribute companies using id");
        var other = Record("distribute companies as reference table");

        var refused = Assert.Throws<BadInputException>(() => PlanAgreement.RefuseOtherPlan(recorded, other, "follow follow"));

        Assert.Equal(ExitCode.BadInput, refused.ExitCode);
        Assert.Contains("follow follow would plan the tables otherwise", refused.Message);
        Assert.Contains("the rules differ", refused.Message);
        Assert.Contains("public.companies: recorded distributed-ready by id", refused.Message);
        Assert.Contains("now reference", refused.Message);
        Assert.Contains("--drop-if-exists", refused.Message);
    }

    [Theory]
    [InlineData(RecordedPhase.Copied, "a finished clone whose stream has not started")]
    [InlineData(RecordedPhase.Streaming, "the changes its stream applied")]
    [InlineData(RecordedPhase.Done, "reached endpos")]
    public void A_clone_over_a_finished_one_is_refused_with_both_ways_on(RecordedPhase phase, string holds)
    {
        var refused = Assert.Throws<BadInputException>(() => PlanAgreement.RefuseRerun(new MigrationRecord(null, "follow", phase)));

        Assert.Contains(holds, refused.Message);
        Assert.Contains("run follow follow", refused.Message);
        Assert.Contains("follow clone --drop-if-exists", refused.Message);
    }

    [Fact]
    public void An_unfinished_clone_or_a_new_target_may_be_cloned()
    {
        PlanAgreement.RefuseRerun(null);
        PlanAgreement.RefuseRerun(new MigrationRecord(null, "follow", RecordedPhase.Copying));
    }

    [Fact]
    public void The_recorded_slot_is_used_unless_another_is_named()
    {
        var recorded = new MigrationRecord(null, "mine", RecordedPhase.Copied);

        Assert.Equal("mine", PlanAgreement.SlotOf(recorded, "follow", given: false, "follow follow"));
        Assert.Equal("mine", PlanAgreement.SlotOf(recorded, "mine", given: true, "follow follow"));
        Assert.Equal("follow", PlanAgreement.SlotOf(null, "follow", given: false, "follow follow"));
        var refused = Assert.Throws<BadInputException>(() => PlanAgreement.SlotOf(recorded, "other", given: true, "follow follow"));
        Assert.Contains("recorded the slot mine", refused.Message);
    }
}
