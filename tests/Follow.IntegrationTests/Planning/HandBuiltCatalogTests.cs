using Follow.Model;
using Follow.Tests.Planning;
using static Follow.IntegrationTests.Planning.PlannerFixture;

namespace Follow.IntegrationTests.Planning;

/// <summary>The unit tests plan hand-built copies of the seeds' schemas: they must be what the catalog reader reads.</summary>
public sealed class HandBuiltCatalogTests
{
    /// <summary>Everything the planner reads of a table, as comparable text.</summary>
    private static IEnumerable<string> Shape(Catalog catalog) => catalog.Tables.SelectMany(t => new[]
        {
            $"{t.Name} {t.Kind} {t.ReplicaIdentity} unlogged={t.IsUnlogged} partition-of={t.PartitionOf}",
            $"{t.Name} primary key {t.PrimaryKey}",
        }
        .Concat(t.Columns.Select(c => $"{t.Name} column {c}"))
        .Concat(t.UniqueConstraints.Select(u => $"{t.Name} unique {u} {string.Join(",", u.Columns)}"))
        .Concat(t.ForeignKeys.Select(f => $"{t.Name} foreign key {f} {string.Join(",", f.Columns)} → {string.Join(",", f.ReferencedColumns)}"))
        .Concat(t.Indexes.Select(i => $"{t.Name} index {i} {string.Join(",", i.Columns)}")))
        .Concat(catalog.Sequences.Select(s => $"sequence {s.Name} owned by {s.OwnedBy}"));

    [Theory]
    [InlineData("ad-platform")]
    [InlineData("storefront")]
    public async Task The_hand_built_seed_catalog_is_the_samples_catalog(string sample)
    {
        var read = await CatalogAsync($"hand_built_{sample.Replace('-', '_')}", Sample(sample, "schema.sql"));

        var built = sample == "ad-platform" ? SeedCatalogs.AdPlatform() : SeedCatalogs.Storefront();

        Assert.Equal(Shape(read).Order(), Shape(built).Order());
    }
}
