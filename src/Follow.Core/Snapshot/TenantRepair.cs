using System.Diagnostics;
using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.Snapshot;

/// <summary>
/// Replaces a tenant's rows on the target with the source's rows in a snapshot, one target transaction a tenant:
/// the tenant's rows deleted, children before parents, then copied as the copy does (backfilled keys, casts, binary
/// COPY) parents first, so that every foreign key holds throughout. Run at a pause point, whose snapshot the target
/// matches otherwise.
/// </summary>
public sealed partial class TenantRepair(ConnectionInfo source, ConnectionInfo target, ILogger logger)
{
    private const string WorkMem = "64MB";

    /// <summary>
    /// The distributed tables to repair, parents first: every one, or <paramref name="only"/> with the tables whose
    /// foreign keys lead to it (their rows go while its rows are replaced).
    /// </summary>
    public static IReadOnlyList<TablePlan> TablesToRepair(DistributionPlan plan, QualifiedName? only)
    {
        var distributed = plan.Tables.Where(t => t.Category.IsDistributed() && t.DistributionColumn is not null).ToList();
        if (only is { } name)
        {
            var table = plan.Find(name) ?? throw new BadInputException($"--table {name} is not among the moved tables (follow plan lists them)");
            if (!distributed.Contains(table)) throw new BadInputException($"--table {name} is a {table.Category.ToString().ToLowerInvariant()} table: repair works on distributed tables, a tenant at a time");
            var wanted = new HashSet<QualifiedName> { name };
            for (var grew = true; grew;)
            {
                grew = false;
                foreach (var t in distributed.Where(t => !wanted.Contains(t.Name) && t.ForeignKeys.Any(k => wanted.Contains(k.ReferencedTable))))
                {
                    grew |= wanted.Add(t.Name);
                }
            }
            distributed = [.. distributed.Where(t => wanted.Contains(t.Name))];
        }
        return ParentsFirst(distributed);
    }

    private static List<TablePlan> ParentsFirst(List<TablePlan> tables)
    {
        var names = tables.Select(t => t.Name).ToHashSet();
        var ordered = new List<TablePlan>();
        var placed = new HashSet<QualifiedName>();
        while (ordered.Count < tables.Count)
        {
            var next = tables.Where(t => !placed.Contains(t.Name)
                && t.ForeignKeys.All(k => k.ReferencedTable == t.Name || !names.Contains(k.ReferencedTable) || placed.Contains(k.ReferencedTable))).ToList();
            // A cycle of foreign keys: the rest in the plan's order.
            if (next.Count == 0) next = [.. tables.Where(t => !placed.Contains(t.Name))];
            foreach (var t in next)
            {
                ordered.Add(t);
                placed.Add(t.Name);
            }
        }
        return ordered;
    }

    /// <summary>Repairs each tenant in its own target transaction; returns the rows copied per tenant.</summary>
    public async Task<IReadOnlyList<(string Tenant, long Rows)>> RepairAsync(
        string snapshot, IReadOnlyList<string> tenants, IReadOnlyList<TablePlan> tables, CancellationToken cancellationToken)
    {
        var done = new List<(string, long)>();
        foreach (var tenant in tenants)
        {
            var clock = Stopwatch.StartNew();
            var rows = await RepairTenantAsync(snapshot, tenant, tables, cancellationToken);
            Log.TenantRepaired(logger, tenant, rows, tables.Count, clock.Elapsed.TotalSeconds);
            done.Add((tenant, rows));
        }
        return done;
    }

    private async Task<long> RepairTenantAsync(string snapshot, string tenant, IReadOnlyList<TablePlan> tables, CancellationToken cancellationToken)
    {
        await using var sourceConnection = await TableCopier.OpenInSnapshotAsync(source, snapshot, WorkMem, cancellationToken);
        await using var targetConnection = await target.OpenAsync("follow repair", ExitCode.TargetFailure, cancellationToken, bulk: true);
        try
        {
            await using (var setting = new NpgsqlCommand("SELECT set_config($1, $2, true)", sourceConnection))
            {
                setting.Parameters.Add(new NpgsqlParameter { Value = CopyQuery.TenantSetting });
                setting.Parameters.Add(new NpgsqlParameter { Value = tenant });
                await setting.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var transaction = await targetConnection.BeginTransactionAsync(cancellationToken);
            foreach (var table in tables.Reverse())
            {
                await using var delete = new NpgsqlCommand(
                    $"DELETE FROM {table.Name.Quoted} WHERE {Sql.Ident(table.DistributionColumn!)} = CAST($1 AS text)::{table.DistributionColumnType}",
                    targetConnection, transaction);
                delete.Parameters.Add(new NpgsqlParameter { Value = tenant });
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
            long rows = 0;
            foreach (var table in tables)
            {
                var counter = new BinaryCopyRowCounter();
                await using (var reader = await sourceConnection.BeginRawBinaryCopyAsync(CopyQuery.CopyOut(table, oneTenant: true), cancellationToken))
                await using (var writer = await targetConnection.BeginRawBinaryCopyAsync(CopyQuery.CopyIn(table), cancellationToken))
                {
                    await Task.Run(() => CopyPump.Run(reader, (buffer, count) =>
                    {
                        counter.Observe(buffer.AsSpan(0, count));
                        writer.Write(buffer, 0, count);
                    }, Stopwatch.StartNew(), _ => { }, cancellationToken), cancellationToken);
                }
                rows += counter.Rows;
            }
            await transaction.CommitAsync(cancellationToken);
            return rows;
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException)
        {
            throw new FollowException($"repairing tenant {tenant} failed, its rows are as they were: {ex.Message}", TableCopier.FailureSide(ex), ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "tenant {Tenant}: {Rows} rows of {Tables} tables replaced by the source's in {Seconds:0.0} s")]
        public static partial void TenantRepaired(ILogger logger, string tenant, long rows, int tables, double seconds);
    }
}
