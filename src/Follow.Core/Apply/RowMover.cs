using Follow.Connections;
using Follow.Enrich;
using Follow.Model;
using Follow.Planning;
using Follow.Snapshot;
using Npgsql;

namespace Follow.Apply;

/// <summary>
/// Moves a row to another distribution key, which Citus cannot update: inserted first with its new key, deleted
/// last, with the rows below it on a foreign-key path moved in between (they belong to the new tenant too, although
/// the source sent nothing for them). Every foreign key holds at each step, as Citus checks them on the workers.
/// </summary>
public sealed class RowMover(TargetWriter writer)
{
    public async Task MoveAsync(KeyedChange change, CancellationToken cancellationToken)
    {
        await writer.SendAsync(cancellationToken);
        var kept = await ReadUnchangedAsync(change, cancellationToken);
        writer.Planner.Insert(change, kept);
        var values = change.Change.New!;
        await MoveChildrenAsync(change.Table, name => values[change.Relation.IndexOf(name)].Text, change.Current!, change.Next!, change.Transaction, cancellationToken);
        writer.Planner.Delete(change);
    }

    /// <summary>The values of unchanged TOAST columns, read from the target row before it moves.</summary>
    private async Task<IReadOnlyDictionary<int, string?>?> ReadUnchangedAsync(KeyedChange change, CancellationToken cancellationToken)
    {
        var values = change.Change.New!;
        var unchanged = Enumerable.Range(0, values.Count).Where(i => values[i].Kind == ValueKind.UnchangedToast).ToList();
        if (unchanged.Count == 0) return null;
        var relation = change.Relation;
        var parameters = new List<string?> { change.Current };
        var conditions = new List<string> { $"{Sql.Ident(change.Table.DistributionColumn!)} = $1" };
        var keyValues = change.OldKeyValues;
        for (var k = 0; k < change.Key.Count; k++)
        {
            var column = Sql.Ident(relation.Columns[change.Key[k]].Name);
            if (keyValues[k].Kind == ValueKind.Null)
            {
                conditions.Add($"{column} IS NULL");
                continue;
            }
            parameters.Add(keyValues[k].Text);
            conditions.Add($"{column} = ${parameters.Count}");
        }
        var select = string.Join(", ", unchanged.Select(i => $"{Sql.Ident(relation.Columns[i].Name)}::text"));
        await using var command = new NpgsqlCommand($"SELECT {select} FROM {change.Table.Name.Quoted} WHERE {string.Join(" AND ", conditions)}", writer.Connection);
        foreach (var parameter in parameters) command.Parameters.Add(TextParameter.Of(parameter));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return unchanged.Select((column, i) => (column, reader.IsDBNull(i) ? null : reader.GetString(i))).ToDictionary(x => x.column, x => x.Item2);
    }

    /// <summary>
    /// Moves the rows that take their key from a moved row, and theirs in turn: each is read, inserted again with the
    /// new key, and deleted.
    /// </summary>
    private async Task MoveChildrenAsync(
        TablePlan parent, Func<string, string?> parentValue, string from, string to, TransactionBegin transaction, CancellationToken cancellationToken)
    {
        await writer.SendAsync(cancellationToken);
        foreach (var child in writer.Plan.Tables.Where(t => t.Backfill?.Hops[0].Parent == parent.Name))
        {
            var hop = child.Backfill!.Hops[0];
            var reference = hop.ParentColumns.Select(parentValue).ToList();
            if (reference.Any(v => v is null)) continue;

            var columns = CopyQuery.TargetColumns(child).ToList();
            var distribution = child.DistributionColumn!;
            var where = $"{Sql.Ident(distribution)} = $1 AND "
                + string.Join(" AND ", hop.ChildColumns.Select((c, i) => $"{Sql.Ident(c)} = ${i + 2}"));
            NpgsqlParameter[] Parameters() => [TextParameter.Of(from), .. reference.Select(TextParameter.Of)];

            var rows = new List<string?[]>();
            await using (var select = new NpgsqlCommand(
                $"SELECT {string.Join(", ", columns.Select(c => $"{Sql.Ident(c)}::text"))} FROM {child.Name.Quoted} WHERE {where}", writer.Connection))
            {
                foreach (var parameter in Parameters()) select.Parameters.Add(parameter);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add([.. Enumerable.Range(0, columns.Count).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i))]);
                }
            }
            if (rows.Count == 0) continue;

            var at = columns.IndexOf(distribution);
            var insert = $"INSERT INTO {child.Name.Quoted} ({Sql.Idents(columns)}){StatementText.Overriding(child.Source)} VALUES ({string.Join(", ", columns.Select((_, i) => $"${i + 1}"))})";
            foreach (var row in rows)
            {
                row[at] = to;
                await writer.ExecuteAsync(insert, transaction, cancellationToken, [.. row.Select(TextParameter.Of)]);
            }
            foreach (var row in rows)
            {
                await MoveChildrenAsync(child, name => row[columns.IndexOf(name)], from, to, transaction, cancellationToken);
            }
            await writer.ExecuteAsync($"DELETE FROM {child.Name.Quoted} WHERE {where}", transaction, cancellationToken, Parameters());
        }
    }
}
