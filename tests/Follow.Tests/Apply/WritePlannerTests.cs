using Follow.Apply;
using Follow.Model;

namespace Follow.Tests.Apply;

/// <summary>
/// The write planner's rules, without a database: each case below fails when its rule is taken away. Groups are
/// shown as "kind table rows", in the order they are written.
/// </summary>
public sealed class WritePlannerTests
{
    private static readonly Follow.Planning.DistributionPlan Plan = StreamCatalog.Plan();
    private readonly Changes _changes = new(Plan);

    private static WritePlanner Planner(bool foreignKeysChecked = false) => new(Plan, foreignKeysChecked);

    private static string[] Groups(WritePlanner planner) =>
        [.. planner.Take().Select(g => $"{g.Shape.Kind.ToString().ToLowerInvariant()} {g.Shape.Table.Name.Name} {g.Rows.Count}")];

    [Fact]
    public void Writes_of_one_shape_share_a_group_when_the_writes_they_pass_concern_other_rows()
    {
        var planner = Planner();
        planner.Plan(_changes.Insert("companies", ["1", "a"]));
        planner.Plan(_changes.Update("companies", ["2", "b"]));
        planner.Plan(_changes.Insert("companies", ["3", "c"]));
        planner.Plan(_changes.Insert("users", ["1", "x@example.com"]));
        planner.Plan(_changes.Insert("companies", ["4", "d"]));

        Assert.Equal(["insert companies 3", "update companies 1", "insert users 1"], Groups(planner));
    }

    [Fact]
    public void A_write_does_not_pass_a_held_write_to_the_same_row()
    {
        var planner = Planner();
        planner.Plan(_changes.Insert("companies", ["1", "a"]));
        planner.Plan(_changes.Delete("companies", ["2"]));
        planner.Plan(_changes.Insert("companies", ["3", "c"]));
        planner.Plan(_changes.Insert("companies", ["2", "b again"]));

        Assert.Equal(["insert companies 2", "delete companies 1", "insert companies 1"], Groups(planner));
    }

    [Fact]
    public void A_write_does_not_pass_a_held_write_that_gave_its_row_that_identity()
    {
        var planner = Planner();
        planner.Plan(_changes.Delete("companies", ["7"]));
        planner.Plan(_changes.Update("companies", ["5", "renumbered"], oldKey: ["1"]));
        planner.Plan(_changes.Delete("companies", ["5"]));

        Assert.Equal(["delete companies 1", "update companies 1", "delete companies 1"], Groups(planner));
    }

    [Fact]
    public void A_write_that_gives_its_row_a_new_identity_does_not_pass_a_held_write_to_that_identity()
    {
        var planner = Planner();
        planner.Plan(_changes.Update("companies", ["2", "b"]));
        planner.Plan(_changes.Delete("companies", ["5"]));
        planner.Plan(_changes.Update("companies", ["5", "renumbered"], oldKey: ["1"]));

        Assert.Equal(["update companies 1", "delete companies 1", "update companies 1"], Groups(planner));
    }

    [Fact]
    public void A_row_updated_again_in_the_same_shape_takes_its_new_values_where_its_last_update_is_held()
    {
        var planner = Planner();
        planner.Plan(_changes.Update("companies", ["1", "a"]));
        planner.Plan(_changes.Update("companies", ["2", "b"]));
        planner.Plan(_changes.Update("companies", ["1", "c"]));
        planner.Plan(_changes.Update("companies", ["3", "d"]));

        var groups = planner.Take();
        Assert.Equal(["update companies 3"], groups.Select(g => $"update companies {g.Rows.Count}"));
        Assert.Equal(["c|1", "b|2", "d|3"], groups[0].Rows.Select(r => string.Join("|", r)));
    }

    [Fact]
    public void A_row_updated_again_keeps_its_updates_apart_when_a_write_held_since_must_come_first()
    {
        var planner = Planner(foreignKeysChecked: true);
        planner.Plan(_changes.Update("ads", ["100", "10", "t1"], current: "1"));
        planner.Plan(_changes.Insert("campaigns", ["11", "1", "new"], next: "1"));
        planner.Plan(_changes.Update("ads", ["100", "11", "t2"], current: "1"));

        Assert.Equal(["update ads 1", "insert campaigns 1", "update ads 1"], Groups(planner));
    }

    [Fact]
    public void A_table_with_a_unique_key_besides_its_identity_keeps_its_writes_in_order()
    {
        var planner = Planner();
        planner.Plan(_changes.Insert("users", ["1", "a@example.com"]));
        planner.Plan(_changes.Update("users", ["2", "b@example.com"]));
        planner.Plan(_changes.Insert("users", ["3", "c@example.com"]));

        Assert.Equal(["insert users 1", "update users 1", "insert users 1"], Groups(planner));
    }

    [Fact]
    public void Rows_of_a_replica_identity_full_table_keep_their_order()
    {
        var planner = Planner();
        planner.Plan(_changes.Full(_changes.Insert("companies", ["1", "a"])));
        planner.Plan(_changes.Full(_changes.Delete("companies", ["2"])));
        planner.Plan(_changes.Full(_changes.Insert("companies", ["3", "c"])));

        Assert.Equal(["insert companies 1", "delete companies 1", "insert companies 1"], Groups(planner));
    }

    [Fact]
    public void Where_the_target_checks_foreign_keys_a_write_does_not_pass_one_to_a_related_table()
    {
        foreach (var (checkedKeys, expected) in new[]
        {
            (false, new[] { "insert campaigns 2", "insert companies 1" }),
            (true, new[] { "insert campaigns 1", "insert companies 1", "insert campaigns 1" }),
        })
        {
            var planner = Planner(checkedKeys);
            planner.Plan(_changes.Insert("campaigns", ["10", "1", "x"]));
            planner.Plan(_changes.Insert("companies", ["2", "b"]));
            planner.Plan(_changes.Insert("campaigns", ["11", "2", "y"]));
            Assert.Equal(expected, Groups(planner));
        }
    }

    [Fact]
    public void Where_the_target_checks_foreign_keys_a_write_passes_held_writes_to_parent_rows_it_does_not_name()
    {
        // The stream benchmark's shape: each transaction updates a parent row and inserts and deletes child rows.
        var planner = Planner(foreignKeysChecked: true);
        for (var i = 0; i < 50; i++)
        {
            _changes.NextTransaction();
            planner.Plan(_changes.Update("companies", [$"{i}", "renamed"]));
            planner.Plan(_changes.Insert("campaigns", [$"{1000 + i}", $"{500 + i}", "x"], next: $"{500 + i}"));
            planner.Plan(_changes.Delete("campaigns", [$"{2000 + i}"], current: $"{600 + i}"));
        }

        Assert.Equal(["update companies 50", "insert campaigns 50", "delete campaigns 50"], Groups(planner));
    }

    [Fact]
    public void Where_the_target_checks_foreign_keys_a_child_row_follows_the_held_write_that_gave_the_parent_row_it_names_its_identity()
    {
        var planner = Planner(foreignKeysChecked: true);
        planner.Plan(_changes.Insert("campaigns", ["10", "1", "x"], next: "1"));
        planner.Plan(_changes.Insert("companies", ["2", "b"]));
        planner.Plan(_changes.Update("companies", ["3", "renumbered"], oldKey: ["4"]));
        planner.Plan(_changes.Update("companies", ["5", "keeps its identity"]));
        planner.Plan(_changes.Insert("campaigns", ["11", "7", "names no held company"], next: "7"));
        planner.Plan(_changes.Insert("campaigns", ["14", "5", "names the updated one"], next: "5"));
        planner.Plan(_changes.Update("campaigns", ["12", "3", "names the renumbered one"], current: "3"));
        planner.Plan(_changes.Insert("campaigns", ["13", "2", "names the inserted one"], next: "2"));

        Assert.Equal(["insert campaigns 3", "insert companies 1", "update companies 2", "update campaigns 1", "insert campaigns 1"], Groups(planner));
    }

    [Fact]
    public void Where_the_target_checks_foreign_keys_a_parent_row_deleted_or_renumbered_follows_every_held_write_to_its_children()
    {
        foreach (var (first, parent, expected) in new[]
        {
            (_changes.Delete("companies", ["5"]), _changes.Delete("companies", ["1"]),
                new[] { "delete companies 1", "delete campaigns 1", "delete companies 1" }),
            (_changes.Update("companies", ["8", "renumbered"], oldKey: ["7"]), _changes.Update("companies", ["9", "renumbered"], oldKey: ["1"]),
                ["update companies 1", "delete campaigns 1", "update companies 1"]),
            // An update that keeps the row's identity leaves every child's reference as it was.
            (_changes.Update("companies", ["8", "h"]), _changes.Update("companies", ["1", "a"]),
                ["update companies 2", "delete campaigns 1"]),
        })
        {
            var planner = Planner(foreignKeysChecked: true);
            planner.Plan(first);
            planner.Plan(_changes.Delete("campaigns", ["10"], current: "1"));
            planner.Plan(parent);
            Assert.Equal(expected, Groups(planner));
        }
    }

    [Fact]
    public void Where_the_target_checks_foreign_keys_a_deferrable_key_orders_its_tables_writes_by_table()
    {
        var source = StreamCatalog.Source();
        source = new Catalog(source.ServerVersionNum,
            [.. source.Tables.Select(t => t with { ForeignKeys = [.. t.ForeignKeys.Select(k => k with { Deferrable = true })] })], source.Sequences);
        var plan = Follow.Planning.DistributionPlanner.Plan(source, Follow.Rules.RulesParser.Parse(StreamCatalog.Rules, "test.rules"));
        var changes = new Changes(plan);
        var planner = new WritePlanner(plan, foreignKeysChecked: true);
        planner.Plan(changes.Update("companies", ["1", "a"]));
        planner.Plan(changes.Insert("campaigns", ["10", "7", "x"], next: "7"));
        planner.Plan(changes.Update("companies", ["2", "b"]));

        Assert.Equal(["update companies 1", "insert campaigns 1", "update companies 1"], Groups(planner));
    }

    [Fact]
    public void Where_the_target_checks_foreign_keys_a_table_that_refers_to_itself_keeps_its_order()
    {
        foreach (var (checkedKeys, expected) in new[]
        {
            (false, new[] { "insert folders 2", "update folders 1" }),
            (true, new[] { "insert folders 1", "update folders 1", "insert folders 1" }),
        })
        {
            var planner = Planner(checkedKeys);
            planner.Plan(_changes.Insert("folders", ["1", null]));
            planner.Plan(_changes.Update("folders", ["2", "1"]));
            planner.Plan(_changes.Insert("folders", ["3", "2"]));
            Assert.Equal(expected, Groups(planner));
        }
    }

    [Fact]
    public void An_update_sets_neither_unchanged_toast_values_nor_the_distribution_column()
    {
        var planner = Planner();
        planner.Plan(_changes.Update("campaigns", ["10", "1", Changes.Toast], current: "1"));
        planner.Plan(_changes.Update("campaigns", ["11", "1", "new body"], current: "1"));

        var groups = planner.Take();
        Assert.Equal(2, groups.Count);
        Assert.Equal(["id", "company_id", "id"], groups[0].Shape.Columns);
        Assert.Equal(1, groups[0].Shape.Set);
        Assert.Equal("10|1|10", string.Join("|", groups[0].Rows[0]));
        Assert.Equal(["id", "body", "company_id", "id"], groups[1].Shape.Columns);
        Assert.Equal(2, groups[1].Shape.Set);
    }

    [Fact]
    public void A_backfilled_row_is_inserted_with_its_key_first_and_found_by_it()
    {
        var planner = Planner();
        planner.Plan(_changes.Insert("ads", ["100", "10", "2026-01-01 00:00:00"], next: "1"));
        planner.Plan(_changes.Delete("ads", ["101"], current: "2"));

        var groups = planner.Take();
        Assert.Equal(["company_id", "id", "campaign_id", "seen_at"], groups[0].Shape.Columns);
        Assert.Equal("1|100|10|2026-01-01 00:00:00", string.Join("|", groups[0].Rows[0]));
        Assert.Equal(["company_id", "id"], groups[1].Shape.Columns);
        Assert.Equal("2|101", string.Join("|", groups[1].Rows[0]));
    }

    [Fact]
    public void A_null_key_part_is_found_with_is_null_and_its_rows_go_one_by_one()
    {
        var planner = Planner();
        planner.Plan(_changes.Delete("folders", [null]));

        var shape = Assert.Single(planner.Take()).Shape;
        Assert.Equal(["id"], shape.NullColumns);
        Assert.False(shape.Multi);
    }

    [Fact]
    public void What_is_held_is_bounded_so_a_large_transaction_goes_in_pieces()
    {
        var planner = Planner();
        for (var i = 0; i < WritePlanner.HeldRows - 1; i++) planner.Plan(_changes.Insert("companies", [$"{i}", "x"]));
        Assert.False(planner.Full);
        planner.Plan(_changes.Insert("companies", ["last", "x"]));

        Assert.True(planner.Full);
        Assert.Equal([$"insert companies {WritePlanner.HeldRows}"], Groups(planner));
        Assert.True(planner.IsEmpty);
    }
}
