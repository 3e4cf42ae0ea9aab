using System.Data;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Follow.Compare;

/// <summary>
/// A read transaction in which both sides print values alike: a row's text, hashed by <see cref="ChecksumQuery"/>,
/// depends on these settings (a timestamptz on TimeZone, a float on extra_float_digits). A timestamp cast to
/// timestamptz is read in this time zone too, so the copy must cast under the same setting.
/// </summary>
public static partial class ComparisonSession
{
    public static IReadOnlyList<(string Name, string Value)> Settings { get; } =
    [
        ("TimeZone", "UTC"),
        ("DateStyle", "ISO, MDY"),
        ("IntervalStyle", "postgres"),
        ("extra_float_digits", "1"),
        ("bytea_output", "hex"),
        ("lc_monetary", "C"),
    ];

    /// <summary>An exported snapshot's name, as pg_export_snapshot returns it (00000003-0000001B-1).</summary>
    public static bool IsSnapshotName(string name) => SnapshotPattern().IsMatch(name);

    /// <param name="snapshot">Exported snapshot to read in, or null.</param>
    /// <param name="citus">
    /// On Citus the hashes are computed on the workers, which see the coordinator's SET LOCAL only when told to
    /// propagate it.
    /// </param>
    public static async Task<NpgsqlTransaction> BeginAsync(
        NpgsqlConnection connection, string? snapshot, bool citus, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(
            snapshot is null ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead, cancellationToken);
        var sql = new StringBuilder();
        if (snapshot is not null)
        {
            // A utility statement takes no parameter; the name was checked by IsSnapshotName.
            if (!IsSnapshotName(snapshot)) throw new ArgumentException($"not a snapshot name: {snapshot}", nameof(snapshot));
            sql.Append("SET TRANSACTION SNAPSHOT '").Append(snapshot).Append("';\n");
        }
        if (citus) sql.Append("SET LOCAL citus.propagate_set_commands TO 'local';\n");
        foreach (var (name, value) in Settings) sql.Append($"SET LOCAL {name} TO '{value}';\n");
        try
        {
            await using var command = new NpgsqlCommand(sql.ToString(), connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
        return transaction;
    }

    [GeneratedRegex("^[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9]+)?$")]
    private static partial Regex SnapshotPattern();
}
