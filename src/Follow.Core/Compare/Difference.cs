namespace Follow.Compare;

/// <summary>One thing that differs in a table.</summary>
/// <param name="Kind">What differs, a stable word for scripts: table, column, primary-key, unique-key, foreign-key,
/// index, partition, sequence, row-count, checksum.</param>
/// <param name="Name">The object's name, when the difference is about one.</param>
/// <param name="Message">For people, without the table's name: <c>row count 120 on the source, 119 on the target</c>.</param>
public sealed record Difference(string Kind, string? Name, string Message);
