namespace Follow.Compare;

/// <summary>A row that differs: the tenant it belongs to (null in a table compared whole), its primary key as a row's text, and how.</summary>
/// <param name="Kind">missing (on the target), extra (on the target only), or changed.</param>
public sealed record RowDifference(string? Tenant, string Key, string Kind);
