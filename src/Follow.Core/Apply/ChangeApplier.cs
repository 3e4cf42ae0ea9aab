using Follow.Connections;
using Follow.Decode;
using Follow.Diagnostics;
using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using Npgsql;
using NpgsqlTypes;

namespace Follow.Apply;

/// <summary>
/// Applies source transactions to the target in commit order, one target transaction each, statement by
/// statement with values bound as parameters. Each target transaction also records the source commit LSN with
/// the replication origin and in the sentinel's replay_lsn, so a restart resumes exactly after the last one.
/// Changes of distributed tables carry the distribution key (from <see cref="KeyEnricher"/>) in their WHERE clause.
/// </summary>
public sealed class ChangeApplier : IAsyncDisposable
{
    /// <summary>
    /// Replication origins belong to the whole server, so each target database gets its own: two migrations into
    /// one server must not share one.
    /// </summary>
    public static async Task<string> OriginNameAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 'follow_' || oid FROM pg_database WHERE datname = current_database()", target);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private const string CitusCheckpoint = """
        DO $$
        BEGIN
            -- Nested: pg_dist_partition exists only with Citus.
            IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
                IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'follow.sentinel'::regclass) THEN
                    PERFORM citus_add_local_table_to_metadata('follow.sentinel');
                END IF;
            END IF;
        END $$
        """;

    private readonly DistributionPlan _plan;
    private readonly NpgsqlConnection _connection;
    private readonly KeyEnricher _enricher;
    private NpgsqlTransaction? _transaction;
    private TransactionBegin? _begin;

    private ChangeApplier(DistributionPlan plan, NpgsqlConnection connection)
    {
        _plan = plan;
        _connection = connection;
        _enricher = new KeyEnricher(plan, connection);
    }

    /// <summary>The commit LSN of the last transaction applied, by this run or an earlier one.</summary>
    public NpgsqlLogSequenceNumber? Applied { get; private set; }

    /// <summary>Between a source transaction's Begin and its Commit.</summary>
    public bool InSourceTransaction => _begin is not null;

    /// <summary>Source transactions applied in the open target transaction, not yet committed.</summary>
    public int Pending { get; private set; }

    private TransactionCommit? _lastPending;

    /// <summary>Distribution keys the cache answered, and those looked up on the target, since the start.</summary>
    public long CacheHits => _enricher.Hits;

    public long CacheMisses => _enricher.Misses;

    public static async Task<ChangeApplier> OpenAsync(DistributionPlan plan, ConnectionInfo target, CancellationToken cancellationToken)
    {
        var connection = await target.OpenAsync("follow apply", ExitCode.TargetFailure, cancellationToken, prepare: true);
        var applier = new ChangeApplier(plan, connection);
        var origin = await OriginNameAsync(connection, cancellationToken);
        await applier.ExecuteAsync(
            "SELECT pg_replication_origin_create($1) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = $1)",
            cancellationToken, origin);
        await applier.ExecuteAsync("SELECT pg_replication_origin_session_setup($1)", cancellationToken, origin);
        // On Citus a transaction that touches one shard commits nothing on the coordinator, so the origin does not
        // move; replay_lsn does, and as a table in Citus' metadata it commits with the shards (two-phase commit).
        await applier.ExecuteAsync(CitusCheckpoint, cancellationToken);
        // As PostgreSQL's own apply worker does: the source already ran triggers and checked foreign keys.
        await applier.ExecuteAsync("SET session_replication_role = replica", cancellationToken);
        await using (var progress = new NpgsqlCommand(
            "SELECT greatest(pg_replication_origin_progress($1, true), (SELECT replay_lsn FROM follow.sentinel))", connection))
        {
            progress.Parameters.Add(new NpgsqlParameter { Value = origin });
            applier.Applied = await progress.ExecuteScalarAsync(cancellationToken) is NpgsqlLogSequenceNumber lsn ? lsn : null;
        }
        return applier;
    }

    /// <summary>Whether a transaction is one an earlier run applied already (a commit at or before the applied LSN).</summary>
    public bool AlreadyApplied(TransactionBegin begin) => Applied is { } applied && begin.CommitLsn <= applied;

    /// <summary>Small source transactions share one target transaction: it is opened by the first of them.</summary>
    public async Task BeginAsync(TransactionBegin begin, CancellationToken cancellationToken)
    {
        _begin = begin;
        _transaction ??= await _connection.BeginTransactionAsync(cancellationToken);
    }

    public async Task ApplyAsync(ChangeRecord record, CancellationToken cancellationToken)
    {
        switch (record)
        {
            case RowChange change:
                await ApplyRowAsync(change, cancellationToken);
                break;
            case TruncateChange truncate:
                var tables = truncate.Relations.Select(r => Table(r).Name.Quoted);
                await ExecuteAsync($"TRUNCATE {string.Join(", ", tables)}{(truncate.Cascade ? " CASCADE" : "")}", cancellationToken);
                _enricher.Forget();
                break;
        }
    }

    /// <summary>A source transaction is complete; it commits on the target with the next <see cref="FlushAsync"/>.</summary>
    public void End(TransactionCommit commit)
    {
        _begin = null;
        _lastPending = commit;
        Pending++;
    }

    /// <summary>
    /// Commits the target transaction with the last source commit it holds, recorded with the origin and in
    /// replay_lsn in that same transaction. Returns that commit, to acknowledge to the source; null when none.
    /// </summary>
    public async Task<TransactionCommit?> FlushAsync(CancellationToken cancellationToken)
    {
        if (_lastPending is not { } commit || _begin is not null) return null;
        await ExecuteAsync("SELECT pg_replication_origin_xact_setup($1, $2)", cancellationToken,
            new NpgsqlParameter { Value = commit.CommitLsn, NpgsqlDbType = NpgsqlDbType.PgLsn },
            new NpgsqlParameter { Value = commit.CommitTime });
        await ExecuteAsync("UPDATE follow.sentinel SET replay_lsn = $1", cancellationToken,
            new NpgsqlParameter { Value = commit.CommitLsn, NpgsqlDbType = NpgsqlDbType.PgLsn });
        await _transaction!.CommitAsync(cancellationToken);
        await _transaction.DisposeAsync();
        _transaction = null;
        _lastPending = null;
        Pending = 0;
        Applied = commit.CommitLsn;
        return commit;
    }

    private TablePlan Table(Relation relation) =>
        _plan.Find(relation.Name) ?? throw new FollowException(
            $"the stream sent a change of {relation.Name}, which is not in the plan; the publication and the plan disagree: run follow stream cleanup and clone again",
            ExitCode.Internal);

    private async Task ApplyRowAsync(RowChange change, CancellationToken cancellationToken)
    {
        var table = Table(change.Relation);
        var relation = change.Relation;
        var distribution = table.Category.IsDistributed() ? table.DistributionColumn : null;
        var key = KeyColumns(table, relation, change);
        switch (change.Kind)
        {
            case ChangeKind.Insert:
            {
                var values = change.New!;
                var added = table.AddsDistributionColumn ? await _enricher.ParentKeyAsync(table, relation, values, cancellationToken) : null;
                await InsertAsync(table, relation, values, added, null, cancellationToken);
                var inserted = added ?? (distribution is null ? null : values[relation.IndexOf(distribution)].Text);
                _enricher.Remember(table, relation, values, inserted);
                if (distribution is not null) _enricher.RememberRow(table, [.. key.Select(k => values[k])], inserted);
                break;
            }
            case ChangeKind.Update:
            {
                var values = change.New!;
                var keyValues = key.Select(k => (change.Old ?? values)[k]).ToList();
                if (distribution is null)
                {
                    await UpdateAsync(table, relation, values, key, keyValues, null, cancellationToken);
                    break;
                }
                var current = await _enricher.TargetKeyAsync(table, relation, key, keyValues, cancellationToken)
                    ?? throw Missing(table, relation, key, keyValues);
                var next = (table.AddsDistributionColumn
                    ? await _enricher.ParentKeyAsync(table, relation, values, cancellationToken)
                    : values[relation.IndexOf(distribution)].Text)
                    ?? throw new FollowException(
                        $"an update sets {table.Name}.{distribution} to NULL, which Citus cannot store; fix the row on the source, then run follow follow again",
                        ExitCode.SourceFailure);
                if (next == current)
                {
                    await UpdateAsync(table, relation, values, key, keyValues, current, cancellationToken);
                }
                else
                {
                    // Citus cannot change a distribution column: the row moves to its new tenant as a delete and an insert.
                    // Inserted first, deleted last, with the rows below it moved in between: every foreign key holds
                    // at each step, as Citus checks them on the workers whatever session_replication_role says.
                    var kept = await ReadUnchangedAsync(table, relation, values, key, keyValues, current, cancellationToken);
                    await InsertAsync(table, relation, values, table.AddsDistributionColumn ? next : null, kept, cancellationToken);
                    // The rows below it on an FK path belong to the new tenant too, although the source sent nothing for them.
                    await MoveChildrenAsync(table, name => values[relation.IndexOf(name)].Text, current, next, cancellationToken);
                    await DeleteAsync(table, relation, key, keyValues, current, cancellationToken);
                    _enricher.Forget();
                }
                _enricher.Remember(table, relation, values, next);
                if (change.Old is not null) _enricher.RememberRow(table, keyValues, null);
                _enricher.RememberRow(table, [.. key.Select(k => values[k])], next);
                break;
            }
            case ChangeKind.Delete:
            {
                var keyValues = key.Select(k => change.Old![k]).ToList();
                var current = distribution is null ? null
                    : await _enricher.TargetKeyAsync(table, relation, key, keyValues, cancellationToken) ?? throw Missing(table, relation, key, keyValues);
                await DeleteAsync(table, relation, key, keyValues, current, cancellationToken);
                if (distribution is not null) _enricher.RememberRow(table, keyValues, null);
                break;
            }
        }
    }

    /// <summary>
    /// Moves the rows that take their key from a moved row, and theirs in turn: each is read, deleted and inserted
    /// again with the new key, since Citus cannot update a distribution column.
    /// </summary>
    private async Task MoveChildrenAsync(TablePlan parent, Func<string, string?> parentValue, string from, string to, CancellationToken cancellationToken)
    {
        foreach (var child in _plan.Tables.Where(t => t.Backfill?.Hops[0].Parent == parent.Name))
        {
            var hop = child.Backfill!.Hops[0];
            var reference = hop.ParentColumns.Select(parentValue).ToList();
            if (reference.Any(v => v is null)) continue;

            var columns = Snapshot.CopyQuery.TargetColumns(child);
            var distribution = child.DistributionColumn!;
            var where = $"{Sql.Ident(distribution)} = $1 AND "
                + string.Join(" AND ", hop.ChildColumns.Select((c, i) => $"{Sql.Ident(c)} = ${i + 2}"));
            List<NpgsqlParameter> Parameters() => [Text(from), .. reference.Select(Text)];

            var rows = new List<string?[]>();
            await using (var select = new NpgsqlCommand(
                $"SELECT {string.Join(", ", columns.Select(c => $"{Sql.Ident(c)}::text"))} FROM {child.Name.Quoted} WHERE {where}", _connection, _transaction))
            {
                foreach (var parameter in Parameters()) select.Parameters.Add(parameter);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add([.. Enumerable.Range(0, columns.Count).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i))]);
                }
            }
            if (rows.Count == 0) continue;

            var at = columns.ToList().IndexOf(distribution);
            var overriding = child.Source.Columns.Any(c => c.Identity == 'a') ? " OVERRIDING SYSTEM VALUE" : "";
            var insert = $"INSERT INTO {child.Name.Quoted} ({Sql.Idents(columns)}){overriding} VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))})";
            foreach (var row in rows)
            {
                row[at] = to;
                await ExecuteAsync(insert, cancellationToken, [.. row.Select(Text)]);
            }
            foreach (var row in rows)
            {
                await MoveChildrenAsync(child, name => row[columns.ToList().IndexOf(name)], from, to, cancellationToken);
            }
            await ExecuteAsync($"DELETE FROM {child.Name.Quoted} WHERE {where}", cancellationToken, [.. Parameters()]);
        }
    }

    private static FollowException Missing(TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> values) => new(
        $"the target has no row of {table.Name} with ({string.Join(", ", key.Select(k => relation.Columns[k].Name))}) = ({string.Join(", ", values.Select(v => v.Text))}) for a change the source sent; the target has diverged from the source: compare the table (follow compare data) and clone it again",
        ExitCode.TargetFailure);

    /// <summary>The columns that identify a row: the replica identity the stream marks, else the primary key, else all (FULL).</summary>
    private static IReadOnlyList<int> KeyColumns(TablePlan table, Relation relation, RowChange change)
    {
        var marked = relation.Columns.Select((c, i) => (c, i)).Where(x => x.c.IsKey).Select(x => x.i).ToList();
        if (marked.Count > 0) return marked;
        if (table.Source.PrimaryKey is { } pk) return [.. pk.Columns.Select(relation.IndexOf)];
        return [.. Enumerable.Range(0, relation.Columns.Count).Where(i => (change.Old ?? change.New)![i].Kind != ValueKind.UnchangedToast)];
    }

    private async Task InsertAsync(
        TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, string? added, IReadOnlyDictionary<int, string?>? kept,
        CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        if (added is not null)
        {
            columns.Add(Sql.Ident(table.DistributionColumn!));
            parameters.Add(Text(added));
        }
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            var value = values[i];
            var text = value.Kind == ValueKind.UnchangedToast ? kept?.GetValueOrDefault(i) : value.Text;
            columns.Add(Sql.Ident(relation.Columns[i].Name));
            parameters.Add(Text(text));
        }
        var placeholders = string.Join(", ", parameters.Select((_, i) => $"${i + 1}"));
        // The source chose the identity values; the target takes them as they are.
        var overriding = table.Source.Columns.Any(c => c.Identity == 'a') ? " OVERRIDING SYSTEM VALUE" : "";
        await ExecuteAsync($"INSERT INTO {table.Name.Quoted} ({string.Join(", ", columns)}){overriding} VALUES ({placeholders})", cancellationToken, [.. parameters]);
    }

    private async Task UpdateAsync(
        TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues,
        string? distributionValue, CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter>();
        var sets = new List<string>();
        for (var i = 0; i < relation.Columns.Count; i++)
        {
            // An unchanged TOAST value is not sent and not written; the distribution column never appears in SET.
            if (values[i].Kind == ValueKind.UnchangedToast || relation.Columns[i].Name == table.DistributionColumn) continue;
            parameters.Add(Text(values[i].Text));
            sets.Add($"{Sql.Ident(relation.Columns[i].Name)} = ${parameters.Count}");
        }
        if (sets.Count == 0) return;
        var where = Where(table, relation, key, keyValues, distributionValue, parameters);
        await ExecuteAsync($"UPDATE {table.Name.Quoted} SET {string.Join(", ", sets)} WHERE {where}", cancellationToken, [.. parameters]);
    }

    private async Task DeleteAsync(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, string? distributionValue,
        CancellationToken cancellationToken)
    {
        var parameters = new List<NpgsqlParameter>();
        var where = Where(table, relation, key, keyValues, distributionValue, parameters);
        await ExecuteAsync($"DELETE FROM {table.Name.Quoted} WHERE {where}", cancellationToken, [.. parameters]);
    }

    /// <summary>The values of unchanged TOAST columns, read from the target row before it moves.</summary>
    private async Task<IReadOnlyDictionary<int, string?>?> ReadUnchangedAsync(
        TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues,
        string? distributionValue, CancellationToken cancellationToken)
    {
        var unchanged = Enumerable.Range(0, values.Count).Where(i => values[i].Kind == ValueKind.UnchangedToast).ToList();
        if (unchanged.Count == 0) return null;
        var parameters = new List<NpgsqlParameter>();
        var where = Where(table, relation, key, keyValues, distributionValue, parameters);
        var select = string.Join(", ", unchanged.Select(i => $"{Sql.Ident(relation.Columns[i].Name)}::text"));
        await using var command = new NpgsqlCommand($"SELECT {select} FROM {table.Name.Quoted} WHERE {where}", _connection, _transaction);
        foreach (var parameter in parameters) command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return unchanged.Select((column, i) => (column, reader.IsDBNull(i) ? null : reader.GetString(i))).ToDictionary(x => x.column, x => x.Item2);
    }

    private static string Where(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, string? distributionValue,
        List<NpgsqlParameter> parameters)
    {
        var conditions = new List<string>();
        if (distributionValue is not null)
        {
            // The key in the WHERE clause lets Citus route the statement to one shard.
            parameters.Add(Text(distributionValue));
            conditions.Add($"{Sql.Ident(table.DistributionColumn!)} = ${parameters.Count}");
        }
        for (var k = 0; k < key.Count; k++)
        {
            if (keyValues[k].Kind == ValueKind.Null)
            {
                conditions.Add($"{Sql.Ident(relation.Columns[key[k]].Name)} IS NULL");
                continue;
            }
            parameters.Add(Text(keyValues[k].Text));
            conditions.Add($"{Sql.Ident(relation.Columns[key[k]].Name)} = ${parameters.Count}");
        }
        return string.Join(" AND ", conditions);
    }

    /// <summary>A value in PostgreSQL's text form, typed by the server from its column (the unknown type).</summary>
    internal static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown };

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, _connection, _transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter as NpgsqlParameter ?? new NpgsqlParameter { Value = parameter });
        }
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new FollowException(
                $"the target refused a change{(_begin is null ? "" : $" of the source transaction committed at {_begin.CommitLsn}")}: {ex.MessageText}{(ex.Detail is { } d ? $" ({d})" : "")}; nothing of that transaction was applied",
                ExitCode.TargetFailure, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null) await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
