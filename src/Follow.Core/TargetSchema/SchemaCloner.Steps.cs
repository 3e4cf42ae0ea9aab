using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Follow.Rewrite;
using Follow.State;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.TargetSchema;

public sealed partial class SchemaCloner
{
    /// <summary>
    /// Restores part of pg_dump's archive: pg_restore writes the SQL, psql runs it in one transaction together
    /// with the step's record, so the step is either done and recorded or not done at all.
    /// </summary>
    private async Task RestoreStepAsync(string step, IReadOnlyList<TocEntry> entries, CancellationToken cancellationToken, string preamble = "")
    {
        if (await IsDoneAsync(step, cancellationToken))
        {
            Log.StepSkipped(logger, step);
            return;
        }

        var listFile = Path.Combine(_workDirectory!, $"{Guid.NewGuid():N}.list");
        var scriptFile = Path.ChangeExtension(listFile, ".sql");
        var markFile = Path.ChangeExtension(listFile, ".mark.sql");
        var preambleFile = Path.ChangeExtension(listFile, ".preamble.sql");
        // In one transaction, Citus must keep DDL on tables tied to reference tables to one connection per node.
        if (TargetIsCitus) preamble += "SET LOCAL citus.multi_shard_modify_mode TO 'sequential';\n";
        await File.WriteAllTextAsync(preambleFile, preamble, cancellationToken);
        await File.WriteAllLinesAsync(listFile, entries.Select(e => e.Line), cancellationToken);
        foreach (var entry in entries) Log.RestoreEntry(logger, step, entry.Line);
        await File.WriteAllTextAsync(markFile, TargetState.MarkDoneScript, cancellationToken);
        List<string> restoreArguments =
        [
            "--use-list", listFile, "--file", scriptFile,
            "--no-owner", "--no-publications", "--no-subscriptions", "--no-tablespaces", "--no-security-labels",
        ];
        if (options.DropIfExists) restoreArguments.AddRange(["--clean", "--if-exists"]);
        restoreArguments.Add(_dumpFile!);
        var restore = await tools.RunAsync("pg_restore", restoreArguments, null, cancellationToken);
        if (restore.ExitCode != 0) throw new FollowException($"pg_restore failed for step \"{step}\": {restore.Error.Trim()}", ExitCode.Internal);

        var run = await tools.RunAsync("psql",
            ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--set", $"{TargetState.MarkDoneVariable}={step}",
             "--single-transaction", "--file", preambleFile, "--file", scriptFile, "--file", markFile],
            target, cancellationToken);
        if (run.ExitCode != 0)
        {
            throw new FollowException(
                $"step \"{step}\" failed on the target {target.Redacted} and was rolled back: {run.Error.Trim()}", ExitCode.TargetFailure);
        }
        Log.StepDone(logger, step, entries.Count);
    }

    private async Task<bool> IsDoneAsync(string step, CancellationToken cancellationToken)
    {
        await using var connection = await OpenTargetAsync(cancellationToken);
        return await TargetState.IsDoneAsync(connection, step, cancellationToken);
    }

    /// <summary>
    /// Follow's CREATE TABLEs, in one transaction. A table that is already there (empty, or any with
    /// --drop-if-exists: <see cref="CheckAsync"/> refused the others) is dropped first, and said so.
    /// </summary>
    private async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenTargetAsync(cancellationToken);
        if (await TargetState.IsDoneAsync(connection, StepTables, cancellationToken))
        {
            Log.StepSkipped(logger, StepTables);
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await DropExistingTablesAsync(connection, transaction, cancellationToken);
        foreach (var (_, sql) in _script.CreateTables) await ExecuteAsync(connection, transaction, sql, cancellationToken);
        await TargetState.MarkDoneAsync(connection, transaction, StepTables, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        TablesCreated = true;
        Log.StepDone(logger, StepTables, _script.CreateTables.Count);
    }

    private async Task DropExistingTablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var moved = _script.Tables.ToHashSet();
        foreach (var existing in await ExistingTablesAsync(connection, cancellationToken))
        {
            // Partitions go with their parent.
            if (catalog.Find(existing)?.PartitionOf is { } parent && moved.Contains(parent)) continue;
            Log.DroppingTable(logger, existing.ToString());
            await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {existing.Quoted} CASCADE", cancellationToken);
        }
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new FollowException($"the target {target.Redacted} refused: {sql}\n{Describe(ex)}", ExitCode.TargetFailure, ex);
        }
    }

    /// <summary>
    /// create_reference_table and create_distributed_table, in the plan's order. Each call commits on its own; a
    /// table Citus already knows is skipped, so a rerun continues where the last one stopped.
    /// </summary>
    private async Task DistributeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenTargetAsync(cancellationToken);
        if (await TargetState.IsDoneAsync(connection, StepDistribution, cancellationToken))
        {
            Log.StepSkipped(logger, StepDistribution);
            return;
        }
        foreach (var call in _script.DistributionCalls)
        {
            var known = await ScalarAsync<bool>(connection,
                "SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = $1::text::regclass)", cancellationToken, call.Table.Quoted);
            if (known) continue;

            await using var command = new NpgsqlCommand(DistributionSql(call), connection);
            command.Parameters.Add(new NpgsqlParameter { Value = call.Table.Quoted });
            if (!call.IsReference)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = call.Column! });
                if (call.ColocateWith is not null) command.Parameters.Add(new NpgsqlParameter { Value = call.ColocateWith.Quoted });
                else if (options.ShardCount is { } shards) command.Parameters.Add(new NpgsqlParameter { Value = shards });
            }
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                throw new FollowException($"Citus refused {call}: {Describe(ex)}", ExitCode.TargetFailure, ex);
            }
            Log.Distributed(logger, call.ToString());
        }
        await TargetState.MarkDoneAsync(connection, null, StepDistribution, cancellationToken);
    }

    private string DistributionSql(Planning.DistributionCall call) =>
        call.IsReference ? "SELECT create_reference_table($1::text::regclass)"
        : call.ColocateWith is not null ? "SELECT create_distributed_table($1::text::regclass, $2, colocate_with => $3)"
        : options.ShardCount is not null ? "SELECT create_distributed_table($1::text::regclass, $2, shard_count => $3)"
        : "SELECT create_distributed_table($1::text::regclass, $2)";

    /// <summary>
    /// Keys, unique and other indexes and checks, table by table with --index-jobs sessions at once; then the foreign
    /// keys, which need the referenced keys. Whatever already exists (from an interrupted run) is skipped.
    /// </summary>
    private async Task CreateKeysAndIndexesAsync(CancellationToken cancellationToken)
    {
        if (await IsDoneAsync(StepPostDataKeys, cancellationToken))
        {
            Log.StepSkipped(logger, StepPostDataKeys);
            return;
        }
        var statements = _script.PostData;
        await RunByTableAsync(statements.Where(s => s.Kind != PostDataKind.ForeignKey), cancellationToken);
        await RunByTableAsync(ForeignKeys.Where(s => !IsHeld(s)), cancellationToken);
        await using var connection = await OpenPostDataAsync(cancellationToken);
        await TargetState.MarkDoneAsync(connection, null, StepPostDataKeys, cancellationToken);
        // The idle post-data sessions and the workers' connections they keep are not needed by the stream.
        NpgsqlConnection.ClearPool(connection);
        Log.StepDone(logger, StepPostDataKeys, statements.Count);
    }

    /// <summary>
    /// One table's keys, indexes and checks, then its statistics. Each index build is a unit of its own for
    /// <paramref name="inSession"/>, so that the indexes of one table are built at once; then one unit adds the
    /// constraints that take over their indexes and the checks, and runs ANALYZE: each of those locks out the
    /// table's index builds, so a session would wait for the others' builds (measured in every table). The planner
    /// needs the statistics only for the checks of foreign keys, which come after, with hash joins (a third faster,
    /// measured). On Citus the shards' statistics are left to autovacuum where it gathers them
    /// (<see cref="ShardStatistics"/>). Foreign keys come in <see cref="CreateForeignKeysAsync"/>.
    /// </summary>
    /// <param name="inSession">Runs a unit of work when one of the --index-jobs sessions is free; true for the
    /// finishing unit, which is short and which others wait for.</param>
    public async Task CreateKeysAsync(QualifiedName table, Func<Func<Task>, bool, Task> inSession, CancellationToken cancellationToken)
    {
        var statements = _script.PostData.Where(s => s.Table == table && s.Kind != PostDataKind.ForeignKey).ToList();
        await Task.WhenAll(statements.Where(s => s.Kind != PostDataKind.Check).Select(statement => inSession(async () =>
        {
            await using var connection = await OpenPostDataAsync(cancellationToken, table);
            if (KeyByIndex(statement) is { } byIndex) await CreateKeyIndexAsync(connection, statement, byIndex, cancellationToken);
            else await RunAsync(connection, statement, cancellationToken);
        }, false)));
        await inSession(async () =>
        {
            await using var connection = await OpenPostDataAsync(cancellationToken, table);
            foreach (var statement in statements.Where(s => s.Kind != PostDataKind.Index)) await RunAsync(connection, statement, cancellationToken);
            if (!TargetIsCitus || !await _shardStatistics.LeftToAutovacuumAsync(connection, table, cancellationToken))
            {
                await ExecuteAsync(connection, null, $"ANALYZE {table.Quoted}", cancellationToken);
            }
        }, true);
        Log.TableKeysDone(logger, table.ToString());
    }

    /// <summary>
    /// Foreign keys made on empty children once their parent is copied, with the parent's key they need. Only for
    /// keys the copy cannot break (<see cref="Snapshot.ForeignKeysHeldByCopy"/>), whose children are then copied
    /// without firing their checks: checking them after the copy is one join over the whole child, and it cannot
    /// fail. Returns the keys in place.
    /// </summary>
    public async Task<IReadOnlyList<PlannedForeignKey>> CreateForeignKeysBeforeDataAsync(
        IEnumerable<PlannedForeignKey> foreignKeys, CancellationToken cancellationToken)
    {
        var made = new List<PlannedForeignKey>();
        await using var connection = await OpenTargetAsync(cancellationToken);
        foreach (var fk in foreignKeys)
        {
            var key = plan.Find(fk.ReferencedTable) is { } parent
                ? new[] { parent.PrimaryKey }.OfType<PlannedKey>().Concat(parent.UniqueKeys)
                    .FirstOrDefault(k => k.Columns.Count == fk.ReferencedColumns.Count && k.Columns.All(c => c is not null && fk.ReferencedColumns.Contains(c)))
                : null;
            var keyStatement = _script.PostData.FirstOrDefault(s => s.Table == fk.ReferencedTable && s.Kind is PostDataKind.Key or PostDataKind.Index && s.Name == key?.Name);
            var fkStatement = _script.PostData.FirstOrDefault(s => s.Table == fk.Source.Table && s.Kind == PostDataKind.ForeignKey && s.Name == fk.Name);
            if (keyStatement is null || fkStatement is null) continue;
            await RunAsync(connection, keyStatement, cancellationToken);
            await RunAsync(connection, fkStatement, cancellationToken);
            made.Add(fk);
        }
        return made;
    }

    /// <summary>The tables a table's foreign keys reference: its keys can be made once theirs are.</summary>
    public IReadOnlyList<QualifiedName> ReferencedBy(QualifiedName table) =>
        plan.Find(table) is { } planned ? [.. planned.ForeignKeys.Select(f => f.ReferencedTable).Distinct()] : [];

    /// <summary>One table's foreign keys, once its keys and those of the tables it references are built.</summary>
    public async Task CreateForeignKeysAsync(QualifiedName table, CancellationToken cancellationToken)
    {
        await using var connection = await OpenPostDataAsync(cancellationToken, table);
        foreach (var statement in ForeignKeys.Where(s => s.Table == table && !IsHeld(s)))
        {
            await RunAsync(connection, statement, cancellationToken);
        }
    }

    /// <summary>The foreign keys of the moved tables, as post-data makes them.</summary>
    public IEnumerable<PostDataStatement> ForeignKeys => _script.PostData.Where(s => s.Kind == PostDataKind.ForeignKey);

    /// <summary>
    /// Foreign keys post-data leaves to the stream: between tables a resumed copy took at different points, they
    /// hold only once the stream has passed both (<see cref="State.HeldForeignKeys"/>).
    /// </summary>
    public IReadOnlySet<(QualifiedName Table, string Name)> Held { get; set; } = new HashSet<(QualifiedName, string)>();

    private bool IsHeld(PostDataStatement statement) => Held.Contains((statement.Table, statement.Name));

    /// <summary>
    /// Drops the foreign keys from or to the tables a resumed copy copies again (an interrupted copy makes some
    /// before the data): those tables are emptied, and their new rows come from another point than their neighbours'.
    /// </summary>
    public async Task DropForeignKeysAsync(IReadOnlyCollection<QualifiedName> tables, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT conrelid::regclass::text, quote_ident(conname)
              FROM pg_constraint
             WHERE contype = 'f' AND conparentid = 0
               AND (conrelid = ANY ($1::text[]::regclass[]) OR confrelid = ANY ($1::text[]::regclass[]))
            """;
        await using var connection = await OpenTargetAsync(cancellationToken);
        var found = new List<(string Table, string Name)>();
        await using (var command = new NpgsqlCommand(sql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(t => t.Quoted).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) found.Add((reader.GetString(0), reader.GetString(1)));
        }
        // Both texts come from the server's own quoting (regclass output, quote_ident).
        foreach (var (table, name) in found) await ExecuteAsync(connection, null, $"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}", cancellationToken);
    }

    private async Task RunByTableAsync(IEnumerable<PostDataStatement> statements, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.IndexJobs), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(statements.GroupBy(s => s.Table), parallel, async (group, ct) =>
        {
            await using var connection = await OpenPostDataAsync(ct, group.Key);
            foreach (var statement in group) await RunAsync(connection, statement, ct);
        });
    }

    /// <summary>
    /// Runs a statement unless what it creates exists. On plain PostgreSQL a foreign key is added NOT VALID and then
    /// validated: ADD takes a lock on the referenced table that lets no other key to it be checked meanwhile, while
    /// VALIDATE lets the keys of several tables to one parent be checked at once. The result is the same key.
    /// </summary>
    private async Task RunAsync(NpgsqlConnection connection, PostDataStatement statement, CancellationToken cancellationToken)
    {
        if (KeyByIndex(statement) is { } byIndex)
        {
            await CreateKeyIndexAsync(connection, statement, byIndex, cancellationToken);
            if (!await ExistsAsync(connection, statement, cancellationToken)) await ExecuteAsync(connection, null, byIndex.AddConstraint, cancellationToken);
            return;
        }
        // PostgreSQL refuses NOT VALID keys on partitioned tables; Citus keeps the one statement it was tested with.
        var twoSteps = statement.Kind == PostDataKind.ForeignKey && !TargetIsCitus
            && catalog.Find(statement.Table) is { Kind: TableKind.Regular, PartitionOf: null }
            && statement.Sql.EndsWith(';') && !statement.Sql.EndsWith(" NOT VALID;", StringComparison.Ordinal);
        if (!twoSteps)
        {
            if (!await ExistsAsync(connection, statement, cancellationToken)) await ExecuteAsync(connection, null, statement.Sql, cancellationToken);
            return;
        }
        // null: missing; false: added by a run that stopped before validating it.
        var validated = await ScalarAsync<bool?>(connection,
            "SELECT convalidated FROM pg_constraint WHERE conrelid = $1::text::regclass AND conname = $2", cancellationToken,
            statement.Table.Quoted, statement.Name);
        if (validated == true) return;
        if (validated is null) await ExecuteAsync(connection, null, statement.Sql[..^1] + " NOT VALID;", cancellationToken);
        await ExecuteAsync(connection, null, $"ALTER TABLE {statement.Table.Quoted} VALIDATE CONSTRAINT {Sql.Ident(statement.Name)};", cancellationToken);
    }

    /// <summary>
    /// A primary key or unique constraint on plain columns, as its unique index and the constraint that takes it
    /// over (pgcopydb's way): CREATE INDEX lets other indexes of the table be built at once, where ADD CONSTRAINT
    /// locks the table for the whole build. Null for other definitions, which run as they are, and on Citus and
    /// partitioned tables, which take no ADD CONSTRAINT … USING INDEX.
    /// </summary>
    private (string CreateIndex, string AddConstraint)? KeyByIndex(PostDataStatement statement)
    {
        if (statement.Kind != PostDataKind.Key || TargetIsCitus || catalog.Find(statement.Table) is not { Kind: TableKind.Regular, PartitionOf: null }) return null;
        var prefix = $"ALTER TABLE {statement.Table.Quoted} ADD CONSTRAINT {Sql.Ident(statement.Name)} ";
        if (!statement.Sql.StartsWith(prefix, StringComparison.Ordinal) || !statement.Sql.EndsWith(';')) return null;
        var match = PlainKey().Match(statement.Sql[prefix.Length..^1]);
        if (!match.Success) return null;
        var name = Sql.Ident(statement.Name);
        return ($"CREATE UNIQUE INDEX {name} ON {statement.Table.Quoted} ({match.Groups[2].Value});",
            $"ALTER TABLE {statement.Table.Quoted} ADD CONSTRAINT {name} {match.Groups[1].Value} USING INDEX {name};");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(PRIMARY KEY|UNIQUE) \(([^()]*)\)$")]
    private static partial System.Text.RegularExpressions.Regex PlainKey();

    /// <summary>The unique index of a key, unless an interrupted run already made it or the constraint.</summary>
    private async Task CreateKeyIndexAsync(
        NpgsqlConnection connection, PostDataStatement statement, (string CreateIndex, string AddConstraint) byIndex, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(connection, statement, cancellationToken)) return;
        var index = new QualifiedName(statement.Table.Schema, statement.Name).Quoted;
        if (!await ScalarAsync<bool>(connection, "SELECT to_regclass($1) IS NOT NULL", cancellationToken, index))
        {
            await ExecuteAsync(connection, null, byIndex.CreateIndex, cancellationToken);
        }
    }

    /// <summary>
    /// A session for keys and indexes. Without JIT, as the copy's: a foreign key's check is one large join, run once,
    /// whose cost on large tables (or before ANALYZE: measured here) makes PostgreSQL compile it with inlining and
    /// optimization, in the leader and in every parallel worker. On Citus, the statements on a table's shards open as
    /// many connections a worker as its size calls for (<see cref="CitusExtension.ConnectionsFor"/>).
    /// </summary>
    private async Task<NpgsqlConnection> OpenPostDataAsync(CancellationToken cancellationToken, QualifiedName? table = null)
    {
        var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken, errorDetail: true, serverOptions: _postDataOptions);
        await ExecuteAsync(connection, null, "SET jit = off", cancellationToken);
        if (TargetIsCitus && table is { } named && plan.Find(named) is { } planned)
        {
            await connection.LimitConnectionsAsync(planned.Source.SizeBytes, local: false, cancellationToken);
        }
        return connection;
    }

    /// <summary>
    /// The server's message with its detail (the connection keeps it: <see cref="OpenTargetAsync"/>) and hint. The
    /// detail of an integrity violation (class 23: a duplicate key, a missing parent row) quotes row values, which
    /// Follow does not print.
    /// </summary>
    internal static string Describe(PostgresException ex) =>
        ex.MessageText
        + (ex.Detail is not { Length: > 0 } detail ? ""
            : ex.SqlState.StartsWith("23", StringComparison.Ordinal) ? " (the server's detail quotes row values and is left out)"
            : $" ({detail})")
        + (ex.Hint is { Length: > 0 } hint ? $" hint: {hint}" : "");

    private static Task<bool> ExistsAsync(NpgsqlConnection connection, PostDataStatement statement, CancellationToken cancellationToken) =>
        statement.CreatesIndexOnly
            ? ScalarAsync<bool>(connection, "SELECT to_regclass($1) IS NOT NULL", cancellationToken,
                new QualifiedName(statement.Table.Schema, statement.Name).Quoted)
            : ScalarAsync<bool>(connection,
                "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = $1::text::regclass AND conname = $2)", cancellationToken,
                statement.Table.Quoted, statement.Name);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "the target {Target} has no citus extension: the schema is rewritten but not distributed")]
        public static partial void PlainTarget(ILogger logger, string target);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Step}: done ({Count} objects)")]
        public static partial void StepDone(ILogger logger, string step, int count);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "{Step}: already done by an earlier run, skipped")]
        public static partial void StepSkipped(ILogger logger, string step);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "dropping the existing target table {Table} to create it anew")]
        public static partial void DroppingTable(ILogger logger, string table);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "triggers of distributed tables are created on their shards (citus.enable_unsafe_triggers) and run on the workers: check that their functions read no other table")]
        public static partial void TriggersOnCitus(ILogger logger);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "{Table}: keys and indexes built")]
        public static partial void TableKeysDone(ILogger logger, string table);

        [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "{Step}: {Entry}")]
        public static partial void RestoreEntry(ILogger logger, string step, string entry);

        [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "{Call}")]
        public static partial void Distributed(ILogger logger, string call);
    }
}
