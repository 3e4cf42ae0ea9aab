using Follow.Model;
using Follow.Pipeline;
using NpgsqlTypes;

namespace Follow.Tests.Pipeline;

/// <summary>Rule 6: a table copied again by a resumed copy at LSN L takes the changes of transactions committing at or after L.</summary>
public sealed class TableCopyPointsTests
{
    private static readonly Relation Clicks = new(1, new QualifiedName("public", "clicks"), [new RelationColumn("id", 20, true)]);
    private static readonly Relation Ads = new(2, new QualifiedName("public", "ads"), [new RelationColumn("id", 20, true)]);

    // clicks was copied again at 500; ads was kept from the stream's start.
    private static readonly TableCopyPoints Points = new(new Dictionary<string, NpgsqlLogSequenceNumber> { ["public.clicks"] = new(500) });

    private static RowChange Insert(Relation relation) => new(relation, ChangeKind.Insert, null, []);

    private static NpgsqlLogSequenceNumber Lsn(ulong value) => new(value);

    [Theory]
    // Committed before the table's copy point: the copy holds it already.
    [InlineData(100UL, 500UL, false)]
    [InlineData(499UL, 500UL, false)]
    // At or after it: the snapshot taken at the point does not hold it (a commit record at the point itself is streamed).
    [InlineData(500UL, 500UL, true)]
    [InlineData(501UL, 500UL, true)]
    // A table copied at the stream's start takes every streamed change.
    [InlineData(100UL, null, true)]
    public void A_table_takes_the_changes_committed_at_or_after_its_copy_point(ulong commit, ulong? copiedAt, bool applied) =>
        Assert.Equal(applied, ApplyRules.AppliesToTable(Lsn(commit), copiedAt is { } at ? Lsn(at) : null));

    [Fact]
    public void Changes_of_a_table_copied_again_are_skipped_before_its_point_and_the_others_are_not()
    {
        Assert.Null(Points.Applied(Insert(Clicks), Lsn(499)));
        Assert.NotNull(Points.Applied(Insert(Clicks), Lsn(500)));
        Assert.NotNull(Points.Applied(Insert(Ads), Lsn(100)));
        var begin = new TransactionBegin(7, Lsn(100), DateTimeOffset.UnixEpoch);
        Assert.Same(begin, Points.Applied(begin, Lsn(100)));
    }

    [Fact]
    public void A_truncate_before_the_point_keeps_only_the_tables_that_take_it()
    {
        var both = new TruncateChange([Ads, Clicks], Cascade: true, RestartIdentity: false);

        Assert.Equal([Ads], ((TruncateChange)Points.Applied(both, Lsn(499))!).Relations);
        Assert.Same(both, Points.Applied(both, Lsn(500)));
        Assert.Null(Points.Applied(new TruncateChange([Clicks], false, false), Lsn(499)));
    }

    [Fact]
    public void Without_tables_copied_again_every_record_passes_unchanged()
    {
        var insert = Insert(Clicks);
        Assert.Same(insert, TableCopyPoints.None.Applied(insert, Lsn(1)));
    }
}
