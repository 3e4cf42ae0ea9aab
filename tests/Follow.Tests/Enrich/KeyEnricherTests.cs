using Follow.Diagnostics;
using Follow.Enrich;
using Follow.Model;
using Follow.Tests.Apply;

namespace Follow.Tests.Enrich;

/// <summary>Key resolution with a fake target: what the cache answers, what is looked up, and when.</summary>
public sealed class KeyEnricherTests
{
    private static readonly Follow.Planning.DistributionPlan Plan = StreamCatalog.Plan();
    private readonly Changes _changes = new(Plan);
    private readonly FakeTargetKeys _target = new();
    private readonly KeyEnricher _enricher = new(Plan);

    private Task<List<KeyedChange>> EnrichAsync(params KeyedChange[] changes) => EnrichAsync(_ => { }, changes);

    /// <summary>The segment's keyed changes; <paramref name="written"/> stands for the writer, which hands each on before the next is keyed.</summary>
    private async Task<List<KeyedChange>> EnrichAsync(Action<KeyedChange> written, params KeyedChange[] changes)
    {
        var keyed = new List<KeyedChange>();
        await foreach (var change in _enricher.EnrichAsync([.. changes.Select(c => (c.Change, c.Transaction))], _target, CancellationToken.None))
        {
            keyed.Add(change);
            written(change);
        }
        return keyed;
    }

    [Fact]
    public async Task A_parent_and_its_child_inserted_in_one_segment_need_no_look_up()
    {
        var keyed = await EnrichAsync(
            _changes.Insert("campaigns", ["10", "1", "body"]),
            _changes.Insert("ads", ["100", "10", "2026-01-01 00:00:00"]));

        Assert.Equal("1", keyed[1].Next);
        Assert.Empty(_target.Calls);
    }

    [Fact]
    public async Task The_misses_of_a_segment_are_looked_up_in_one_call_and_then_cached()
    {
        _target.Row("campaigns", "id", "10", "1");
        _target.Row("campaigns", "id", "11", "2");

        var first = await EnrichAsync(
            _changes.Insert("ads", ["100", "10", "2026-01-01 00:00:00"]),
            _changes.Insert("ads", ["101", "11", "2026-01-01 00:00:00"]),
            _changes.Insert("ads", ["102", "10", "2026-01-01 00:00:00"]));
        var second = await EnrichAsync(_changes.Insert("ads", ["103", "11", "2026-01-01 00:00:00"]));

        Assert.Equal(["1", "2", "1"], first.Select(k => k.Next));
        Assert.Equal("2", second[0].Next);
        var call = Assert.Single(_target.Calls);
        Assert.Equal(2, Assert.Single(call).Keys.Count);
        Assert.Equal(2, _enricher.Misses);
        Assert.True(_enricher.Hits >= 2);
    }

    [Fact]
    public async Task Keys_read_before_the_stream_answer_rows_and_children_without_a_look_up_and_follow_later_changes()
    {
        _target.Row("campaigns", "id", "10", "1");
        _target.Row("campaigns", "id", "11", "2");

        var loaded = await _enricher.PreloadAsync(_target, CancellationToken.None);
        var keyed = await EnrichAsync(
            _changes.Insert("ads", ["100", "10", "2026-01-01 00:00:00"]),
            _changes.Update("campaigns", ["11", "3", "body"]),
            _changes.Insert("ads", ["101", "11", "2026-01-01 00:00:00"]));

        // Each campaign as a row (its updates) and as a parent (its ads).
        Assert.Equal(4, loaded);
        Assert.Contains("campaigns", _target.ReadsAll);
        Assert.Equal("1", keyed[0].Next);
        Assert.Equal(("2", "3"), (keyed[1].Current, keyed[1].Next));
        Assert.Equal("3", keyed[2].Next);
        Assert.Empty(_target.Calls);
    }

    [Fact]
    public async Task Tables_that_would_fill_more_than_half_the_cache_are_not_read_before_the_stream()
    {
        var enricher = new KeyEnricher(Plan, capacity: 4);
        foreach (var id in new[] { "10", "11", "12" }) _target.Row("campaigns", "id", id, "1");

        Assert.Equal(0, await enricher.PreloadAsync(_target, CancellationToken.None));
        var insert = _changes.Insert("ads", ["100", "10", "2026-01-01 00:00:00"]);
        await foreach (var keyed in enricher.EnrichAsync([(insert.Change, insert.Transaction)], _target, CancellationToken.None))
        {
            Assert.Equal("1", keyed.Next);
        }
        Assert.Single(_target.Calls);
    }

    [Fact]
    public async Task A_table_whose_statistics_exceed_the_budget_is_not_read_before_the_stream()
    {
        var source = StreamCatalog.Source();
        var catalog = new Follow.Model.Catalog(source.ServerVersionNum, [.. source.Tables.Select(t => t.Name.Name == "ads" ? t with { RowEstimate = 60_000 } : t)], source.Sequences);
        var enricher = new KeyEnricher(Follow.Planning.DistributionPlanner.Plan(catalog, Follow.Rules.RulesParser.Parse(StreamCatalog.Rules, "test.rules")));
        _target.Row("campaigns", "id", "10", "1");

        Assert.Equal(2, await enricher.PreloadAsync(_target, CancellationToken.None));
        Assert.Equal(["campaigns"], _target.ReadsAll);
    }

    [Fact]
    public async Task An_update_or_delete_finds_the_key_its_row_holds_on_the_target()
    {
        _target.Row("ads", "id", "100", "7");
        _target.Row("campaigns", "id", "10", "7");

        var keyed = await EnrichAsync(
            _changes.Update("ads", ["100", "10", "2026-02-01 00:00:00"]),
            _changes.Delete("ads", ["100"]));

        Assert.Equal(("7", "7"), (keyed[0].Current, keyed[0].Next));
        Assert.False(keyed[0].Moves);
        Assert.Equal("7", keyed[1].Current);
        Assert.Single(_target.Calls);
    }

    [Fact]
    public async Task A_row_moved_to_another_tenant_forgets_what_its_descendants_held()
    {
        _target.Row("campaigns", "id", "10", "1");
        _target.Row("ads", "id", "100", "1");
        // The writer moves the campaign's ads with it.
        var keyed = await EnrichAsync(
            change => { if (change.Moves) _target.Row("ads", "id", "100", "2"); },
            _changes.Update("ads", ["100", "10", "2026-02-01 00:00:00"]),
            _changes.Update("campaigns", ["10", "2", "body"]),
            _changes.Update("ads", ["100", "10", "2026-03-01 00:00:00"]));

        Assert.Equal(("1", "1"), (keyed[0].Current, keyed[0].Next));
        Assert.True(keyed[1].Moves);
        Assert.Equal(("1", "2"), (keyed[1].Current, keyed[1].Next));
        Assert.Equal(("2", "2"), (keyed[2].Current, keyed[2].Next));
    }

    [Fact]
    public async Task A_deleted_row_is_not_found_by_a_later_change_of_the_segment()
    {
        _target.Row("ads", "id", "100", "1");

        var error = await Assert.ThrowsAsync<FollowException>(() => EnrichAsync(
            _changes.Delete("ads", ["100"]),
            _changes.Update("ads", ["100", "10", "2026-02-01 00:00:00"])));

        Assert.Contains("has no row of public.ads with (id) = (100)", error.Message);
    }

    [Fact]
    public async Task A_child_whose_parent_the_target_lacks_is_refused_naming_both()
    {
        var error = await Assert.ThrowsAsync<FollowException>(() => EnrichAsync(_changes.Insert("ads", ["100", "99", "2026-01-01 00:00:00"])));

        Assert.Contains("a row of public.ads refers to public.campaigns (id) = (99)", error.Message);
        Assert.Equal(ExitCode.TargetFailure, error.ExitCode);
    }

    [Fact]
    public async Task Reference_and_local_tables_need_no_key()
    {
        var keyed = await EnrichAsync(_changes.Insert("users", ["1", "a@example.com"]), _changes.Delete("folders", ["3"]));

        Assert.All(keyed, k => Assert.Null(k.Current ?? k.Next));
        Assert.Empty(_target.Calls);
    }
}
