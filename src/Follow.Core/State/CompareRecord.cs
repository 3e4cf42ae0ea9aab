using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>The last by-tenant comparison recorded on the target (follow.compare), for follow list progress.</summary>
public sealed record CompareRecord(
    DateTimeOffset StartedAt,
    NpgsqlLogSequenceNumber? Lsn,
    int Tables,
    int TablesDone,
    long TenantsDone,
    DateTimeOffset? FinishedAt,
    bool? Equal,
    TimeSpan Elapsed)
{
    /// <summary>Tenants a second so far.</summary>
    public double? TenantsPerSecond => Elapsed.TotalSeconds > 0 ? TenantsDone / Elapsed.TotalSeconds : null;

    /// <summary>Time left at the rate of tables so far; null before the first table or once finished.</summary>
    public TimeSpan? Left => FinishedAt is not null || TablesDone == 0 ? null : Elapsed / TablesDone * (Tables - TablesDone);

    public static async Task StartAsync(NpgsqlConnection target, NpgsqlLogSequenceNumber? lsn, int tables, CancellationToken cancellationToken)
    {
        await TargetState.EnsureAsync(target, cancellationToken);
        var at = lsn is { } l ? StateSql.Lsn(l) : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.PgLsn };
        await StateSql.ExecuteAsync("compare-start", target, cancellationToken, at, StateSql.Value(tables));
    }

    public static Task ProgressAsync(NpgsqlConnection target, int tablesDone, long tenantsDone, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("compare-progress", target, cancellationToken, StateSql.Value(tablesDone), StateSql.Value(tenantsDone));

    public static Task FinishAsync(NpgsqlConnection target, bool equal, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("compare-finish", target, cancellationToken, StateSql.Value(equal));

    /// <summary>The record, or null when no by-tenant comparison ran on this target.</summary>
    public static async Task<CompareRecord?> TryReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        if (!(bool)(await StateSql.ScalarAsync("compare-exists", target, cancellationToken))!) return null;
        await using var command = StateSql.Command("compare-read", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new CompareRecord(
            reader.GetFieldValue<DateTimeOffset>(0),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<NpgsqlLogSequenceNumber>(1),
            reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            reader.IsDBNull(6) ? null : reader.GetBoolean(6),
            TimeSpan.FromSeconds(reader.GetDouble(7)));
    }
}
