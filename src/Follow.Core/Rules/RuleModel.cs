namespace Follow.Rules;

/// <summary>Where a rule was written: file (or "configuration"), 1-based line and column.</summary>
public sealed record SourcePosition(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// A table as a rule names it. Schema is null when the rule does not qualify the name.
/// Unquoted names are folded to lower case as PostgreSQL does; quoted ones are kept exactly.
/// </summary>
public sealed record TableRef(string? Schema, string Name)
{
    public override string ToString() =>
        Schema is null ? Model.Sql.IdentIfNeeded(Name) : $"{Model.Sql.IdentIfNeeded(Schema)}.{Model.Sql.IdentIfNeeded(Name)}";
}

/// <summary><c>distribute T using C</c>, or <c>distribute T using C from T1, T2</c> (From empty when absent).</summary>
public sealed record DistributeRule(TableRef Table, string Column, IReadOnlyList<TableRef> From, SourcePosition Position);

/// <summary><c>distribute T as reference table</c>.</summary>
public sealed record ReferenceTableRule(TableRef Table, SourcePosition Position);

/// <summary><c>cast column T.C to "type"</c>.</summary>
public sealed record CastColumnRule(TableRef Table, string Column, string TargetType, SourcePosition Position);

/// <summary>
/// A name pattern in a filter: an exact name, or a regular expression (pgloader's <c>~/…/</c>) matched against the
/// unqualified name. Schema null means any schema.
/// </summary>
public sealed record TablePattern(string? Schema, string Pattern, bool IsRegex, SourcePosition Position);

/// <summary>Which schemas and tables are moved. Empty include lists mean "everything".</summary>
public sealed record Filters(
    IReadOnlyList<string> IncludeOnlySchemas,
    IReadOnlyList<string> ExcludeSchemas,
    IReadOnlyList<TablePattern> IncludeOnlyTables,
    IReadOnlyList<TablePattern> ExcludeTables)
{
    public static readonly Filters None = new([], [], [], []);

    public bool IsEmpty => IncludeOnlySchemas.Count == 0 && ExcludeSchemas.Count == 0
        && IncludeOnlyTables.Count == 0 && ExcludeTables.Count == 0;

    /// <summary>Both sets of filters apply: includes and excludes are concatenated.</summary>
    public Filters Merge(Filters other) => new(
        [.. IncludeOnlySchemas, .. other.IncludeOnlySchemas],
        [.. ExcludeSchemas, .. other.ExcludeSchemas],
        [.. IncludeOnlyTables, .. other.IncludeOnlyTables],
        [.. ExcludeTables, .. other.ExcludeTables]);
}

/// <summary>Everything read from a rules file, a pgloader .load file, or configuration.</summary>
public sealed record RuleSet(
    IReadOnlyList<DistributeRule> Distribute,
    IReadOnlyList<ReferenceTableRule> Reference,
    IReadOnlyList<CastColumnRule> Casts,
    Filters Filters,
    LoadCommandSettings? Load,
    IReadOnlyList<string> Warnings)
{
    public static readonly RuleSet Empty = new([], [], [], Filters.None, null, []);
}

/// <summary>What a pgloader <c>load database</c> command says beyond the rules: its connections and supported options.</summary>
public sealed record LoadCommandSettings(string? SourceUri, string? TargetUri, bool IncludeDrop);
