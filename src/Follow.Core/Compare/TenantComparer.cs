using System.Collections.Concurrent;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Compare;

/// <param name="Tenants">Only these distribution-key values; empty: every tenant.</param>
/// <param name="MaxRows">Rows listed a table at most; the total is given anyway.</param>
public sealed record TenantCompareOptions(int TableJobs, string? Snapshot, IReadOnlyList<string> Tenants, int MaxRows);

/// <summary>
/// Compares distributed tables tenant by tenant: per distribution-key value, the count and checksum on both sides;
/// within a tenant that differs, each row's key and hash, to name the rows missing, extra or changed. Reference and
/// local tables are compared whole, and row by row when they differ.
/// </summary>
public sealed partial class TenantComparer(
    DistributionPlan plan,
    ConnectionInfo source,
    ConnectionInfo target,
    TargetCatalog targetCatalog,
    TenantCompareOptions options,
    ILogger logger)
{
    /// <summary>Called as each table is done, one call at a time: tables done of all, tenants compared so far.</summary>
    public Func<CompareProgress, CancellationToken, Task>? OnProgress { get; init; }

    private readonly SemaphoreSlim _progress = new(1, 1);

    private int _tablesDone;
    private long _tenantsDone;

    public async Task<CompareReport> CompareAsync(CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TableJobs, 1);
        ComparisonSession session;
        await using (var connection = await CompareConnections.OpenAsync(ConnectionRole.Source, source, cancellationToken))
        {
            session = await ComparisonSession.ReadAsync(connection, cancellationToken);
        }
        var results = new ConcurrentDictionary<QualifiedName, TableComparison>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.TableJobs, CancellationToken = cancellationToken };
        var started = DateTime.UtcNow;
        await Parallel.ForEachAsync(plan.Tables.OrderByDescending(t => t.Source.SizeBytes), parallel, async (table, token) =>
        {
            results[table.Name] = await CompareTableAsync(table, session, token);
            if (OnProgress is null) return;
            await _progress.WaitAsync(token);
            try
            {
                var done = ++_tablesDone;
                await OnProgress(new CompareProgress(done, plan.Tables.Count, Interlocked.Read(ref _tenantsDone), DateTime.UtcNow - started, table.Name), token);
            }
            finally
            {
                _progress.Release();
            }
        });
        return new CompareReport(CompareKind.Data, [.. plan.Tables.Select(t => results[t.Name])]);
    }

    /// <summary>The distribution key's type on the target, and the tenants given, checked castable to it.</summary>
    public static async Task<string?> KeyTypeAsync(DistributionPlan plan, TargetCatalog targetCatalog, ConnectionInfo target, IReadOnlyList<string> tenants, CancellationToken cancellationToken)
    {
        var types = plan.Tables.Where(t => t.Category.IsDistributed() && t.DistributionColumn is not null)
            .Select(t => targetCatalog.Catalog.Find(t.Name)?.Column(t.DistributionColumn!)?.Type)
            .OfType<string>().Distinct().ToList();
        if (types.Count == 0)
        {
            if (tenants.Count > 0) throw new BadInputException("--tenant: the plan distributes no table, so there are no tenants");
            return null;
        }
        if (types.Count > 1) throw new BadInputException($"the distributed tables' keys have several types on the target ({string.Join(", ", types)}); run follow compare schema");
        if (tenants.Count == 0) return types[0];
        await using var connection = await CompareConnections.OpenAsync(ConnectionRole.Target, target, cancellationToken);
        // The type's name comes from the target's catalog (format_type), not from the command line.
        await using var command = new NpgsqlCommand($"SELECT CAST($1 AS text[])::{types[0]}[]", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenants.ToArray() });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw new BadInputException($"--tenant: not a value of the distribution key's type {types[0]}: {ex.MessageText}", ex);
        }
        return types[0];
    }

    private async Task<TableComparison> CompareTableAsync(TablePlan table, ComparisonSession session, CancellationToken cancellationToken)
    {
        if (targetCatalog.Catalog.Find(table.Name) is not { } targetTable)
        {
            return new TableComparison(table.Name, [new Difference("table", null, "missing on the target")]);
        }
        var expected = ExpectedTable.ColumnsOf(table).Select(c => c.Name).ToHashSet();
        if (!expected.SetEquals(targetTable.Columns.Select(c => c.Name)))
        {
            return new TableComparison(table.Name, [new Difference("column", null, "the target's columns differ from the plan's (follow compare schema lists how)")]);
        }

        var keyType = table.Category.IsDistributed() && table.DistributionColumn is { } column ? targetTable.Column(column)?.Type : null;
        var sourceQuery = TenantQuery.ForSource(table, plan, keyType);
        var targetQuery = TenantQuery.ForTarget(table, keyType);
        await using var sourceSide = await CompareSide.OpenAsync(session, ConnectionRole.Source, source, options.Snapshot, false, cancellationToken);
        await using var targetSide = await CompareSide.OpenAsync(session, ConnectionRole.Target, target, null, targetCatalog.IsCitus, cancellationToken);

        var rows = new List<RowDifference>();
        long differing = 0;
        var differences = new List<Difference>();
        List<string> tenants = [];
        RowSummary sourceTotal, targetTotal;
        // Without a tenant filter, the whole table's checksum first, as compare data takes it: grouping by tenant
        // costs more, and is needed only to name the tenants of a table that differs.
        var whole = sourceQuery.Key is null || targetQuery.Key is null || options.Tenants.Count == 0;
        if (whole)
        {
            var (sourceSums, targetSums) = await BothAsync(
                SumsAsync(sourceSide, sourceQuery.Whole(), table.Name, null, false, cancellationToken),
                SumsAsync(targetSide, targetQuery.Whole(), table.Name, null, false, cancellationToken));
            (sourceTotal, targetTotal) = (sourceSums[""], targetSums[""]);
        }
        else
        {
            (sourceTotal, targetTotal) = (new RowSummary(0, "0"), new RowSummary(0, "0"));
        }
        if (sourceQuery.Key is null || targetQuery.Key is null)
        {
            if (sourceTotal != targetTotal) differing = await CompareRowsAsync(sourceSide, targetSide, sourceQuery, targetQuery, table.Name, null, rows, cancellationToken);
        }
        else if (!whole || sourceTotal != targetTotal)
        {
            var filter = options.Tenants.Count > 0 ? options.Tenants.ToArray() : null;
            var (sourceSums, targetSums) = await BothAsync(
                SumsAsync(sourceSide, sourceQuery.ByTenant(filter is not null), table.Name, filter, true, cancellationToken),
                SumsAsync(targetSide, targetQuery.ByTenant(filter is not null), table.Name, filter, true, cancellationToken));
            sourceTotal = Total(sourceSums.Values);
            targetTotal = Total(targetSums.Values);
            tenants = [.. sourceSums.Keys.Union(targetSums.Keys)
                .Where(t => sourceSums.GetValueOrDefault(t) != targetSums.GetValueOrDefault(t))
                .OrderBy(t => t, TenantOrder.Instance)];
            Interlocked.Add(ref _tenantsDone, sourceSums.Keys.Union(targetSums.Keys).Count());
            foreach (var tenant in tenants)
            {
                differing += await CompareRowsAsync(sourceSide, targetSide, sourceQuery, targetQuery, table.Name, tenant, rows, cancellationToken);
                var (s, t) = (sourceSums.GetValueOrDefault(tenant), targetSums.GetValueOrDefault(tenant));
                differences.Add(new("tenant", tenant, $"tenant {tenant}: {s?.Rows ?? 0} rows on the source, {t?.Rows ?? 0} on the target"));
            }
        }
        if (sourceTotal != targetTotal && differences.Count == 0)
        {
            differences.Add(sourceTotal.Rows != targetTotal.Rows
                ? new("row-count", null, $"row count {sourceTotal.Rows} on the source, {targetTotal.Rows} on the target")
                : new("checksum", null, "checksum differs"));
        }
        Log.TableCompared(logger, table.Name.ToString(), sourceTotal.Rows, tenants.Count, differing);
        return new TableComparison(table.Name, differences, sourceTotal, targetTotal, tenants, rows, differing);
    }

    private static async Task<(T, T)> BothAsync<T>(Task<T> first, Task<T> second)
    {
        await Task.WhenAll(first, second);
        return (await first, await second);
    }

    private static RowSummary Total(IEnumerable<RowSummary> sums)
    {
        var list = sums.ToList();
        return new RowSummary(list.Sum(s => s.Rows), list.Aggregate(0m, (sum, s) => sum + decimal.Parse(s.Checksum, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Sums by tenant (the first column), or of the whole table under the key "".</summary>
    private static async Task<Dictionary<string, RowSummary>> SumsAsync(
        CompareSide side, string sql, QualifiedName table, string[]? tenants, bool byTenant, CancellationToken cancellationToken)
    {
        var sums = new Dictionary<string, RowSummary>();
        await side.ReadAsync(sql, $"the checksums of {table}", tenants, r =>
        {
            var at = byTenant ? 1 : 0;
            sums[byTenant ? (r.IsDBNull(0) ? "NULL" : r.GetString(0)) : ""] = new RowSummary(r.GetInt64(at), r.GetString(at + 1));
        }, cancellationToken);
        return sums;
    }

    /// <summary>Row by row within one tenant (or the whole table): adds at most MaxRows lines in all, returns how many rows differ.</summary>
    private async Task<long> CompareRowsAsync(
        CompareSide sourceSide, CompareSide targetSide, TenantQuery sourceQuery, TenantQuery targetQuery, QualifiedName table, string? tenant,
        List<RowDifference> rows, CancellationToken cancellationToken)
    {
        var (sourceRows, targetRows) = await BothAsync(
            RowsAsync(sourceSide, sourceQuery.Rows(), table, tenant, cancellationToken),
            RowsAsync(targetSide, targetQuery.Rows(), table, tenant, cancellationToken));
        var found = new List<RowDifference>();
        foreach (var (key, hash) in sourceRows)
        {
            if (!targetRows.TryGetValue(key, out var other)) found.Add(new RowDifference(tenant, key, "missing"));
            else if (other != hash) found.Add(new RowDifference(tenant, key, "changed"));
        }
        found.AddRange(targetRows.Keys.Where(k => !sourceRows.ContainsKey(k)).Select(k => new RowDifference(tenant, k, "extra")));
        rows.AddRange(found.OrderBy(r => r.Key, StringComparer.Ordinal).Take(Math.Max(0, options.MaxRows - rows.Count)));
        return found.Count;
    }

    private static async Task<Dictionary<string, string>> RowsAsync(CompareSide side, string sql, QualifiedName table, string? tenant, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await side.ReadAsync(sql, $"the rows of {table}", tenant, r => rows[r.GetString(0)] = r.GetString(1), cancellationToken);
        return rows;
    }

    /// <summary>Tenants in numeric order when they are numbers, else in text order.</summary>
    public static IComparer<string> TenantOrderComparer => TenantOrder.Instance;

    private sealed class TenantOrder : IComparer<string>
    {
        public static readonly TenantOrder Instance = new();

        public int Compare(string? x, string? y) =>
            decimal.TryParse(x, System.Globalization.CultureInfo.InvariantCulture, out var a) && decimal.TryParse(y, System.Globalization.CultureInfo.InvariantCulture, out var b)
                ? a.CompareTo(b)
                : string.CompareOrdinal(x, y);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "{Table}: {Rows} rows on the source, {Tenants} tenants and {Differing} rows differ")]
        public static partial void TableCompared(ILogger logger, string table, long rows, int tenants, long differing);
    }
}

/// <summary>How far a comparison is: tables done of all, tenants compared, time spent, the table just done.</summary>
public sealed record CompareProgress(int TablesDone, int Tables, long TenantsDone, TimeSpan Elapsed, QualifiedName Last)
{
    /// <summary>Time left, from the rate of tables so far; null before the first.</summary>
    public TimeSpan? Left => TablesDone == 0 ? null : Elapsed / TablesDone * (Tables - TablesDone);
}
