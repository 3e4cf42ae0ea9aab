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
        await using var side = await CompareSide.OpenAsync(session, role, connectionInfo, snapshot, citus, cancellationToken);
        RowSummary? summary = null;
        await side.ReadAsync(sql, $"the checksum of {table}", null, r => summary = new RowSummary(r.GetInt64(0), r.GetString(1)), cancellationToken);
        return summary!;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "{Table}: {Rows} rows on the source, equal: {Equal}")]
        public static partial void TableCompared(ILogger logger, string table, long rows, bool equal);
    }
}
