using System.Collections.Concurrent;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Compare;

/// <summary>
/// Compares every moved table's row count and checksum on both sides (<see cref="ChecksumQuery"/>), several
/// tables at once. The first failure stops the comparison.
/// </summary>
public sealed partial class DataComparer(
    DistributionPlan plan,
    ConnectionInfo source,
    ConnectionInfo target,
    TargetCatalog targetCatalog,
    DataCompareOptions options,
    ILogger logger)
{
    public async Task<CompareReport> CompareAsync(CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TableJobs, 1);
        if (options.Snapshot is { } snapshot && !ComparisonSession.IsSnapshotName(snapshot))
        {
            throw new BadInputException($"--snapshot {snapshot} is not a snapshot name; pg_export_snapshot() returns names like 00000003-0000001B-1");
        }

        var session = await ReadSessionAsync(cancellationToken);
        var results = new ConcurrentDictionary<QualifiedName, TableComparison>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.TableJobs, CancellationToken = cancellationToken };
        // Largest first, so that a big table does not start last and run alone.
        await Parallel.ForEachAsync(plan.Tables.OrderByDescending(t => t.Source.SizeBytes), parallel,
            async (table, token) => results[table.Name] = await CompareTableAsync(table, session, token));
        return new CompareReport(CompareKind.Data, [.. plan.Tables.Select(t => results[t.Name])]);
    }

    private async Task<TableComparison> CompareTableAsync(TablePlan table, ComparisonSession session, CancellationToken cancellationToken)
    {
        if (targetCatalog.Catalog.Find(table.Name) is not { } targetTable)
        {
            return new TableComparison(table.Name, [new Difference("table", null, "missing on the target")]);
        }

        var sourceSide = SummarizeAsync(session, ConnectionRole.Source, source, ChecksumQuery.ForSource(table, plan), options.Snapshot, false, table.Name, cancellationToken);
        var targetSide = SummarizeAsync(session, ConnectionRole.Target, target, ChecksumQuery.ForTarget(targetTable), null, targetCatalog.IsCitus, table.Name, cancellationToken);
        await Task.WhenAll(sourceSide, targetSide);
        var (sourceRows, targetRows) = (await sourceSide, await targetSide);

        var differences = new List<Difference>();
        if (sourceRows.Rows != targetRows.Rows)
        {
            differences.Add(new("row-count", null, $"row count {sourceRows.Rows} on the source, {targetRows.Rows} on the target"));
        }
        else if (sourceRows.Checksum != targetRows.Checksum)
        {
            differences.Add(new("checksum", null, "checksum differs"));
        }
        if (differences.Count > 0 && !ExpectedTable.ColumnsOf(table).Select(c => c.Name).SequenceEqual(targetTable.Columns.Select(c => c.Name)))
        {
            differences.Add(new("column", null, "the target's columns differ from the plan's (follow compare schema lists how)"));
        }
        Log.TableCompared(logger, table.Name.ToString(), sourceRows.Rows, differences.Count == 0);
        return new TableComparison(table.Name, differences, sourceRows, targetRows);
    }

    private async Task<ComparisonSession> ReadSessionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await CompareConnections.OpenAsync(ConnectionRole.Source, source, cancellationToken);
        try
        {
            return await ComparisonSession.ReadAsync(connection, cancellationToken);
        }
        catch (Exception ex) when (CompareConnections.IsConnectionFailure(ex))
        {
            throw CompareConnections.Failure(ConnectionRole.Source, source, "cannot read the settings of", ex);
        }
    }

    private static async Task<RowSummary> SummarizeAsync(
        ComparisonSession session, ConnectionRole role, ConnectionInfo connectionInfo, string sql, string? snapshot, bool citus, QualifiedName table,
        CancellationToken cancellationToken)
    {
        await using var connection = await CompareConnections.OpenAsync(role, connectionInfo, cancellationToken);
        NpgsqlTransaction transaction;
        try
        {
            transaction = await session.BeginAsync(connection, snapshot, citus, cancellationToken);
        }
        catch (PostgresException ex) when (snapshot is not null && ex.SqlState == PostgresErrorCodes.InvalidParameterValue)
        {
            throw new BadInputException(
                $"the source has no exported snapshot {snapshot} ({ex.MessageText}): a snapshot exists only while the session that exported it stays in its transaction",
                ex);
        }
        catch (Exception ex) when (CompareConnections.IsConnectionFailure(ex))
        {
            throw CompareConnections.Failure(role, connectionInfo, "cannot start a read transaction on", ex);
        }

        await using (transaction)
        {
            try
            {
                // A large table takes longer than Npgsql's default 30 seconds; stopping goes through the token.
                await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                return new RowSummary(reader.GetInt64(0), reader.GetString(1));
            }
            catch (Exception ex) when (CompareConnections.IsConnectionFailure(ex))
            {
                throw CompareConnections.Failure(role, connectionInfo, $"cannot compute the checksum of {table} on", ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "{Table}: {Rows} rows on the source, equal: {Equal}")]
        public static partial void TableCompared(ILogger logger, string table, long rows, bool equal);
    }
}
