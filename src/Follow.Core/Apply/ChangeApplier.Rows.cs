using Follow.Decode;
using Follow.Diagnostics;
using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Apply;

/// <summary>The statements of one row change, and the look-ups and moves they need.</summary>
public sealed partial class ChangeApplier
{
    /// <summary>
    /// Walking ahead: the look-ups this change will make, and the keys it will define for the changes after it,
    /// as <see cref="ApplyRowAsync"/> makes and defines them.
    /// </summary>
    private void LookAhead(RowChange change)
    {
        var table = Table(change.Relation);
        var relation = change.Relation;
        if (!table.Category.IsDistributed()) return;
        var key = KeyColumns(relation, change);
        var values = change.New;
        switch (change.Kind)
        {
            case ChangeKind.Insert:
                NeedParent(table, relation, values!);
                foreach (var parent in _enricher.ParentKeysOf(table, relation, values!)) _enricher.WillDefine(parent);
                _enricher.WillDefine(KeyEnricher.RowLookup(table, [.. key.Select(k => values![k])]));
                break;
            case ChangeKind.Update:
            {
                var keyValues = key.Select(k => (change.Old ?? values)![k]).ToList();
                _enricher.Need(KeyEnricher.RowLookup(table, keyValues), () => KeyEnricher.RowQuery(table, relation, key, keyValues),
                    _enricher.RowByColumn(table, relation, key, keyValues));
                NeedParent(table, relation, values!);
                foreach (var parent in _enricher.ParentKeysOf(table, relation, values!)) _enricher.WillDefine(parent);
                _enricher.WillDefine(KeyEnricher.RowLookup(table, keyValues));
                _enricher.WillDefine(KeyEnricher.RowLookup(table, [.. key.Select(k => values![k])]));
                break;
            }
            case ChangeKind.Delete:
            {
                var keyValues = key.Select(k => change.Old![k]).ToList();
                _enricher.Need(KeyEnricher.RowLookup(table, keyValues), () => KeyEnricher.RowQuery(table, relation, key, keyValues),
                    _enricher.RowByColumn(table, relation, key, keyValues));
                _enricher.WillDefine(KeyEnricher.RowLookup(table, keyValues));
                break;
            }
        }
    }

    private void NeedParent(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        if (table.AddsDistributionColumn && _enricher.ParentLookup(table, relation, values) is { } parent)
        {
            _enricher.Need(parent, () => _enricher.ParentQuery(table, relation, values), _enricher.ParentByColumn(table, relation, values));
        }
    }

    /// <summary>The key a backfilled row takes from its parent; an error naming table and key when the parent is missing.</summary>
    private async Task<string> ParentKeyAsync(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, CancellationToken cancellationToken)
    {
        if (_enricher.ParentLookup(table, relation, values) is not { } lookup) throw KeyEnricher.NullParent(table);
        if (!_enricher.TryGet(lookup, out var key)) key = await LookUpAsync(lookup, _enricher.ParentQuery(table, relation, values), cancellationToken);
        return key ?? throw KeyEnricher.MissingParent(table, relation, values);
    }

    /// <summary>The distribution key the target row has now, found by its replica identity; null when there is no such row.</summary>
    private async Task<string?> TargetKeyAsync(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, CancellationToken cancellationToken)
    {
        var lookup = KeyEnricher.RowLookup(table, keyValues);
        return _enricher.TryGet(lookup, out var found)
            ? found
            : await LookUpAsync(lookup, KeyEnricher.RowQuery(table, relation, key, keyValues), cancellationToken);
    }

    /// <summary>Queues the writes of one change; true when it moved a row to another key (written at once).</summary>
    private async Task<bool> ApplyRowAsync(RowChange change, CancellationToken cancellationToken)
    {
        var table = Table(change.Relation);
        var relation = change.Relation;
        var distribution = table.Category.IsDistributed() ? table.DistributionColumn : null;
        var key = KeyColumns(relation, change);
        var moved = false;
        switch (change.Kind)
        {
            case ChangeKind.Insert:
            {
                var values = change.New!;
                var added = table.AddsDistributionColumn ? await ParentKeyAsync(table, relation, values, cancellationToken) : null;
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
                var current = await TargetKeyAsync(table, relation, key, keyValues, cancellationToken)
                    ?? throw Missing(table, relation, key, keyValues);
                var next = (table.AddsDistributionColumn
                    ? await ParentKeyAsync(table, relation, values, cancellationToken)
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
                    await SendAsync(cancellationToken);
                    var kept = await ReadUnchangedAsync(table, relation, values, key, keyValues, current, cancellationToken);
                    await InsertAsync(table, relation, values, table.AddsDistributionColumn ? next : null, kept, cancellationToken);
                    // The rows below it on an FK path belong to the new tenant too, although the source sent nothing for them.
                    await MoveChildrenAsync(table, name => values[relation.IndexOf(name)].Text, current, next, cancellationToken);
                    await DeleteAsync(table, relation, key, keyValues, current, cancellationToken);
                    _enricher.Forget();
                    moved = true;
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
                    : await TargetKeyAsync(table, relation, key, keyValues, cancellationToken) ?? throw Missing(table, relation, key, keyValues);
                await DeleteAsync(table, relation, key, keyValues, current, cancellationToken);
                if (distribution is not null) _enricher.RememberRow(table, keyValues, null);
                break;
            }
        }
        return moved;
    }

    /// <summary>
    /// Moves the rows that take their key from a moved row, and theirs in turn: each is read, deleted and inserted
    /// again with the new key, since Citus cannot update a distribution column.
    /// </summary>
    private async Task MoveChildrenAsync(TablePlan parent, Func<string, string?> parentValue, string from, string to, CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
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
                $"SELECT {string.Join(", ", columns.Select(c => $"{Sql.Ident(c)}::text"))} FROM {child.Name.Quoted} WHERE {where}", _connection))
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
    private IReadOnlyList<int> KeyColumns(Relation relation, RowChange change) =>
        Described(relation).Key
        ?? [.. Enumerable.Range(0, relation.Columns.Count).Where(i => (change.Old ?? change.New)![i].Kind != ValueKind.UnchangedToast)];

    /// <summary>The WHERE clause's values, in <see cref="Where"/>'s order; returns which key parts are NULL.</summary>
    private static ulong WhereValues(IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, string? distributionValue, List<string?> values)
    {
        if (distributionValue is not null) values.Add(distributionValue);
        ulong nulls = 0;
        for (var k = 0; k < key.Count; k++)
        {
            if (keyValues[k].Kind == ValueKind.Null)
            {
                if (k < 64) nulls |= 1UL << k;
                continue;
            }
            values.Add(keyValues[k].Text);
        }
        return nulls;
    }

    /// <summary>The columns of the WHERE clause's values, in <see cref="Where"/>'s order.</summary>
    private static IReadOnlyList<string> WhereColumns(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, string? distributionValue)
    {
        var columns = new List<string>(key.Count + 1);
        if (distributionValue is not null) columns.Add(table.DistributionColumn!);
        for (var k = 0; k < key.Count; k++)
        {
            if (keyValues[k].Kind != ValueKind.Null) columns.Add(relation.Columns[key[k]].Name);
        }
        return columns;
    }

    /// <summary>The values of unchanged TOAST columns, read from the target row before it moves.</summary>
    private async Task<IReadOnlyDictionary<int, string?>?> ReadUnchangedAsync(
        TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues,
        string? distributionValue, CancellationToken cancellationToken)
    {
        var unchanged = Enumerable.Range(0, values.Count).Where(i => values[i].Kind == ValueKind.UnchangedToast).ToList();
        if (unchanged.Count == 0) return null;
        await SendAsync(cancellationToken);
        var parameters = new List<string?>();
        WhereValues(key, keyValues, distributionValue, parameters);
        var where = Where(table, relation, key, keyValues, distributionValue, 0);
        var select = string.Join(", ", unchanged.Select(i => $"{Sql.Ident(relation.Columns[i].Name)}::text"));
        await using var command = new NpgsqlCommand($"SELECT {select} FROM {table.Name.Quoted} WHERE {where}", _connection);
        foreach (var parameter in parameters) command.Parameters.Add(Text(parameter));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return unchanged.Select((column, i) => (column, reader.IsDBNull(i) ? null : reader.GetString(i))).ToDictionary(x => x.column, x => x.Item2);
    }

    /// <summary>The WHERE clause that finds a row; its placeholders start after <paramref name="before"/> others.</summary>
    private static string Where(
        TablePlan table, Relation relation, IReadOnlyList<int> key, IReadOnlyList<ColumnValue> keyValues, string? distributionValue, int before)
    {
        var conditions = new List<string>();
        var n = before;
        if (distributionValue is not null)
        {
            // The key in the WHERE clause lets Citus route the statement to one shard.
            conditions.Add($"{Sql.Ident(table.DistributionColumn!)} = ${++n}");
        }
        for (var k = 0; k < key.Count; k++)
        {
            conditions.Add(keyValues[k].Kind == ValueKind.Null
                ? $"{Sql.Ident(relation.Columns[key[k]].Name)} IS NULL"
                : $"{Sql.Ident(relation.Columns[key[k]].Name)} = ${++n}");
        }
        return string.Join(" AND ", conditions);
    }
}
