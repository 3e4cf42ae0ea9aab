namespace Follow.Compare;

/// <summary>A table's row count and the sum of its rows' 64-bit hashes, exact, as decimal text.</summary>
public sealed record RowSummary(long Rows, string Checksum);
