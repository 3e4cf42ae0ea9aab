using System.Data;
using System.Text;
using System.Text.RegularExpressions;
using Follow.Model;
using Npgsql;

namespace Follow.Compare;

/// <summary>
/// A read transaction in which both sides print values alike: a row's text, hashed by <see cref="ChecksumQuery"/>,
/// depends on these settings (a timestamptz on TimeZone, a float on extra_float_digits). Those that also steer
/// casts (a timestamp cast to timestamptz is read in TimeZone) are the source's own, as in the copy's sessions;
/// the others are fixed to print values exactly.
/// </summary>
public sealed partial class ComparisonSession
{
    /// <summary>The settings taken from the source's defaults.</summary>
    public static IReadOnlyList<string> SourceSettings { get; } = ["TimeZone", "DateStyle", "IntervalStyle", "lc_monetary"];

    private ComparisonSession(IReadOnlyList<(string Name, string Value)> settings) => Settings = settings;

    /// <summary>Every setting each session gets, in order.</summary>
    public IReadOnlyList<(string Name, string Value)> Settings { get; }

    public static ComparisonSession With(IEnumerable<(string Name, string Value)> sourceDefaults) =>
        new([.. sourceDefaults, ("extra_float_digits", "1"), ("bytea_output", "hex")]);

    /// <summary>Reads the source's defaults on a connection that has changed none of them.</summary>
    public static async Task<ComparisonSession> ReadAsync(NpgsqlConnection source, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT name, current_setting(name) FROM unnest($1::text[]) AS name", source);
        command.Parameters.Add(new NpgsqlParameter { Value = SourceSettings.ToArray() });
        var values = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) values.Add((reader.GetString(0), reader.GetString(1)));
        return With(values);
    }

    /// <summary>An exported snapshot's name, as pg_export_snapshot returns it (00000003-0000001B-1).</summary>
    public static bool IsSnapshotName(string name) => SnapshotPattern().IsMatch(name);

    /// <param name="snapshot">Exported snapshot to read in, or null.</param>
    /// <param name="citus">
    /// On Citus the hashes are computed on the workers, which see the coordinator's SET LOCAL only when told to
    /// propagate it (set_config is not propagated, hence SET with literals).
    /// </param>
    public async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, string? snapshot, bool citus, CancellationToken cancellationToken)
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
        foreach (var (name, value) in Settings) sql.Append($"SET LOCAL {name} TO {Sql.Literal(value)};\n");
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
