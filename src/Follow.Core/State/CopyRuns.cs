using Follow.Model;
using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>The copy's runs and jobs (follow.run, follow.job): one run per snapshot, one job per table or ctid range.</summary>
public static class CopyRuns
{
    public static async Task<long> CreateRunAsync(
        NpgsqlConnection target, NpgsqlTransaction transaction, string slotName, string snapshot, NpgsqlLogSequenceNumber consistentPoint,
        string visible, NpgsqlLogSequenceNumber? streamFrom, CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("run-create", target, transaction,
            StateSql.Value(slotName), StateSql.Value(snapshot), StateSql.Lsn(consistentPoint), StateSql.Value(visible),
            new NpgsqlParameter { Value = (object?)streamFrom ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.PgLsn });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<long> CreateJobAsync(
        NpgsqlConnection target, NpgsqlTransaction transaction, long runId, QualifiedName table, int part, int parts, long? firstPage, long? lastPage,
        long estimatedRows, CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("job-create", target, transaction,
            StateSql.Value(runId), StateSql.Value(table.ToString()), StateSql.Value(part), StateSql.Value(parts),
            new NpgsqlParameter { Value = (object?)firstPage ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
            new NpgsqlParameter { Value = (object?)lastPage ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
            StateSql.Value(estimatedRows));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A table a resumed copy keeps from an earlier run: a completed job of this run that copied nothing.</summary>
    public static async Task KeepJobAsync(
        NpgsqlConnection target, NpgsqlTransaction transaction, long runId, TableCopy kept, CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("job-kept", target, transaction,
            StateSql.Value(runId), StateSql.Value(kept.Table), StateSql.Value(kept.CopiedIn), StateSql.Value(kept.Rows));
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public static async Task UpdateJobAsync(
        NpgsqlConnection target, NpgsqlTransaction? transaction, long jobId, string state, long rows, long bytes, TimeSpan elapsed, string? error,
        CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("job-progress", target, transaction,
            StateSql.Value(jobId), StateSql.Value(state), StateSql.Value(rows), StateSql.Value(bytes), StateSql.Value(elapsed),
            new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static Task FinishRunAsync(NpgsqlConnection target, long runId, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("run-finish", target, cancellationToken, StateSql.Value(runId));

    /// <summary>The consistent point of the latest finished copy: where the stream starts; null when none finished.</summary>
    public static async Task<NpgsqlLogSequenceNumber?> LatestFinishedAsync(NpgsqlConnection target, CancellationToken cancellationToken) =>
        await StateSql.ScalarAsync("run-latest-finished", target, cancellationToken) is NpgsqlLogSequenceNumber lsn ? lsn : null;
}
