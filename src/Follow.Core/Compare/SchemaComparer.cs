using Follow.Model;
using Follow.Planning;

namespace Follow.Compare;

/// <summary>
/// Compares the target's catalog with what the plan says it should hold (<see cref="ExpectedTable"/>): columns
/// (name, type, order), primary, unique and foreign keys, indexes by name, partitions and owned sequences. Does no
/// I/O; both catalogs are read with <see cref="Discovery.CatalogReader"/>.
/// </summary>
public static class SchemaComparer
{
    public static CompareReport Compare(DistributionPlan plan, Catalog source, Catalog target) =>
        new(CompareKind.Schema, [.. plan.Tables.Select(t => CompareTable(ExpectedTable.From(t, source), target))]);

    public static TableComparison CompareTable(ExpectedTable expected, Catalog target)
    {
        if (target.Find(expected.Name) is not { } actual)
        {
            return new TableComparison(expected.Name, [new Difference("table", null, "missing on the target")]);
        }
        var differences = new List<Difference>();
        CompareColumns(expected, actual, differences);
        ComparePrimaryKey(expected.PrimaryKey, actual.PrimaryKey, differences);
        CompareUniqueKeys(expected, actual, differences);
        CompareForeignKeys(expected, actual, differences);
        // The stream's own look-up indexes are not part of the schema moved.
        var indexes = actual.Indexes.Select(i => i.Name).Where(n => !n.StartsWith(Apply.LookupIndexes.Prefix, StringComparison.Ordinal));
        CompareNames("index", expected.Indexes, indexes, Sql.IdentIfNeeded, differences);
        CompareNames("partition", expected.Partitions, PartitionsOf(target, expected.Name), n => n.ToString(), differences);
        CompareSequences(expected, target, differences);
        return new TableComparison(expected.Name, differences);
    }

    private static void CompareColumns(ExpectedTable expected, Table actual, List<Difference> differences)
    {
        foreach (var column in expected.Columns)
        {
            var name = Sql.IdentIfNeeded(column.Name);
            if (actual.Column(column.Name) is not { } found)
            {
                differences.Add(new("column", column.Name, $"column {name} ({column.Type}) is missing on the target"));
            }
            else if (!TypeNames.Same(found.Type, column.Type))
            {
                differences.Add(new("column", column.Name, $"column {name} is {found.Type} on the target, expected {column.Type}"));
            }
        }
        var expectedNames = expected.Columns.Select(c => c.Name).ToHashSet();
        foreach (var column in actual.Columns.Where(c => !expectedNames.Contains(c.Name)))
        {
            differences.Add(new("column", column.Name, $"column {Sql.IdentIfNeeded(column.Name)} ({column.Type}) is on the target only"));
        }

        // One line for the order, rather than one per shifted column.
        var actualNames = actual.Columns.Select(c => c.Name).ToHashSet();
        var expectedOrder = expected.Columns.Select(c => c.Name).Where(actualNames.Contains).ToList();
        var actualOrder = actual.Columns.Select(c => c.Name).Where(expectedNames.Contains).ToList();
        if (!expectedOrder.SequenceEqual(actualOrder))
        {
            differences.Add(new("column", null, $"columns are in another order on the target: {List(actualOrder)}, expected {List(expectedOrder)}"));
        }
    }

    private static void ComparePrimaryKey(PlannedKey? expected, KeyConstraint? actual, List<Difference> differences)
    {
        switch (expected, actual)
        {
            case (null, null):
                return;
            case (not null, null):
                differences.Add(new("primary-key", expected.Name, $"primary key {Sql.IdentIfNeeded(expected.Name)} {List(expected.Columns)} is missing on the target"));
                return;
            case (null, not null):
                differences.Add(new("primary-key", actual.Name, $"primary key {Sql.IdentIfNeeded(actual.Name)} {List(actual.Columns)} is on the target only"));
                return;
            case (not null, not null) when expected.Name != actual.Name || !expected.Columns.SequenceEqual(actual.Columns):
                differences.Add(new("primary-key", expected.Name,
                    $"primary key is {Sql.IdentIfNeeded(actual.Name)} {List(actual.Columns)} on the target, expected {Sql.IdentIfNeeded(expected.Name)} {List(expected.Columns)}"));
                return;
        }
    }

    private static void CompareUniqueKeys(ExpectedTable expected, Table actual, List<Difference> differences)
    {
        var wanted = expected.UniqueKeys.ToDictionary(k => k.Name, k => k.Columns);
        var found = actual.UniqueConstraints.ToDictionary(k => k.Name, k => (IReadOnlyList<string?>)k.Columns);
        foreach (var index in actual.Indexes.Where(i => i.IsUnique && !i.IsPrimary && i.Constraint is null)) found[index.Name] = index.Columns;
        CompareByName("unique-key", "unique key", wanted, found, (a, b) => a.SequenceEqual(b), c => List(c), differences);
    }

    private static void CompareForeignKeys(ExpectedTable expected, Table actual, List<Difference> differences)
    {
        var wanted = expected.ForeignKeys.ToDictionary(f => f.Name, f => (f.Columns, f.ReferencedTable, f.ReferencedColumns));
        var found = actual.ForeignKeys.ToDictionary(f => f.Name, f => (f.Columns, f.ReferencedTable, f.ReferencedColumns));
        CompareByName("foreign-key", "foreign key", wanted, found,
            (a, b) => a.Columns.SequenceEqual(b.Columns) && a.ReferencedTable == b.ReferencedTable && a.ReferencedColumns.SequenceEqual(b.ReferencedColumns),
            f => $"{List(f.Columns)} → {f.ReferencedTable} {List(f.ReferencedColumns)}",
            differences);
    }

    private static void CompareByName<T>(
        string kind, string what, Dictionary<string, T> wanted, Dictionary<string, T> found,
        Func<T, T, bool> same, Func<T, string> show, List<Difference> differences)
    {
        foreach (var (name, definition) in wanted.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            if (!found.TryGetValue(name, out var actual))
            {
                differences.Add(new(kind, name, $"{what} {Sql.IdentIfNeeded(name)} {show(definition)} is missing on the target"));
            }
            else if (!same(definition, actual))
            {
                differences.Add(new(kind, name, $"{what} {Sql.IdentIfNeeded(name)} is {show(actual)} on the target, expected {show(definition)}"));
            }
        }
        foreach (var (name, definition) in found.Where(f => !wanted.ContainsKey(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            differences.Add(new(kind, name, $"{what} {Sql.IdentIfNeeded(name)} {show(definition)} is on the target only"));
        }
    }

    private static void CompareNames<T>(string kind, IEnumerable<T> wanted, IEnumerable<T> found, Func<T, string> show, List<Difference> differences)
    {
        var foundSet = found.ToHashSet();
        var wantedSet = wanted.ToHashSet();
        foreach (var name in wantedSet.Where(n => !foundSet.Contains(n)).Select(show).Order(StringComparer.Ordinal))
        {
            differences.Add(new(kind, name, $"{kind} {name} is missing on the target"));
        }
        foreach (var name in foundSet.Where(n => !wantedSet.Contains(n)).Select(show).Order(StringComparer.Ordinal))
        {
            differences.Add(new(kind, name, $"{kind} {name} is on the target only"));
        }
    }

    private static void CompareSequences(ExpectedTable expected, Catalog target, List<Difference> differences)
    {
        foreach (var sequence in expected.Sequences)
        {
            var actual = target.Sequences.FirstOrDefault(s => s.Name == sequence.Name);
            if (actual is null)
            {
                differences.Add(new("sequence", sequence.Name.ToString(), $"sequence {sequence.Name} is missing on the target"));
            }
            else if (actual.OwnedBy != sequence.OwnedBy)
            {
                differences.Add(new("sequence", sequence.Name.ToString(),
                    $"sequence {sequence.Name} is owned by {Owner(actual.OwnedBy)} on the target, expected {Owner(sequence.OwnedBy)}"));
            }
        }
    }

    private static IEnumerable<QualifiedName> PartitionsOf(Catalog catalog, QualifiedName parent) =>
        catalog.PartitionsOf(parent).SelectMany(p => PartitionsOf(catalog, p.Name).Prepend(p.Name));

    private static string Owner(SequenceOwner? owner) =>
        owner is null ? "no column" : $"{owner.Table}.{Sql.IdentIfNeeded(owner.Column)}";

    private static string List(IEnumerable<string?> columns) =>
        "(" + string.Join(", ", columns.Select(c => c is null ? "(expression)" : Sql.IdentIfNeeded(c))) + ")";
}
