using Follow.Model;
using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>A foreign key between tables copied at different points, made once the stream passed <paramref name="ValidAfter"/>.</summary>
public sealed record HeldForeignKey(string Table, string Name, string Statement, NpgsqlLogSequenceNumber ValidAfter);

/// <summary>
/// The foreign keys a resumed copy holds back (follow.held_foreign_key): until the stream has applied everything
/// before the later of their two tables' points, one table may hold rows the other does not hold yet, or no longer.
/// </summary>
public static class HeldForeignKeys
{
    public static async Task HoldAsync(NpgsqlConnection target, QualifiedName table, string name, string statement, NpgsqlLogSequenceNumber validAfter,
        CancellationToken cancellationToken) =>
        await StateSql.ExecuteAsync("held-key-add", target, cancellationToken,
            StateSql.Value(table.ToString()), StateSql.Value(name), StateSql.Value(statement), StateSql.Lsn(validAfter));

    public static Task ClearAsync(NpgsqlConnection target, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("held-keys-clear", target, cancellationToken);

    public static async Task<IReadOnlyList<HeldForeignKey>> ReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var held = new List<HeldForeignKey>();
        await using var command = StateSql.Command("held-keys", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            held.Add(new HeldForeignKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<NpgsqlLogSequenceNumber>(3)));
        }
        return held;
    }

    /// <summary>Makes the key (which checks every row) and forgets it in one transaction: it is either made or still held.</summary>
    public static async Task MakeAsync(NpgsqlConnection target, HeldForeignKey key, CancellationToken cancellationToken)
    {
        await using var transaction = await target.BeginTransactionAsync(cancellationToken);
        await using (var add = new NpgsqlCommand(key.Statement, target, transaction) { CommandTimeout = 0 })
        {
            await add.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var made = StateSql.Command("held-key-made", target, transaction, StateSql.Value(key.Table), StateSql.Value(key.Name)))
        {
            await made.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
