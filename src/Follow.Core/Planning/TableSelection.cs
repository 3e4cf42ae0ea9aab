using System.Text.RegularExpressions;
using Follow.Model;
using Follow.Rules;

namespace Follow.Planning;

/// <summary>Applies the include/exclude filters to the catalog: which tables Follow moves.</summary>
public static class TableSelection
{
    /// <summary>Whether a table (a partition follows its parent) is moved.</summary>
    public static bool IsIncluded(Catalog catalog, Table table, Filters filters)
    {
        if (table.PartitionOf is { } parent && catalog.Find(parent) is { } parentTable)
        {
            return IsIncluded(catalog, parentTable, filters);
        }
        var name = table.Name;
        if (filters.IncludeOnlySchemas.Count > 0 && !filters.IncludeOnlySchemas.Contains(name.Schema)) return false;
        if (filters.ExcludeSchemas.Contains(name.Schema)) return false;
        if (filters.IncludeOnlyTables.Count > 0 && !filters.IncludeOnlyTables.Any(p => Matches(p, name))) return false;
        return !filters.ExcludeTables.Any(p => Matches(p, name));
    }

    public static bool Matches(TablePattern pattern, QualifiedName name)
    {
        if (pattern.Schema is not null && pattern.Schema != name.Schema) return false;
        return pattern.IsRegex ? Regex.IsMatch(name.Name, pattern.Pattern, RegexOptions.CultureInvariant) : pattern.Pattern == name.Name;
    }
}
