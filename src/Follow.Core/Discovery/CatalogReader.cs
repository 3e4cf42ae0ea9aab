using System.Data;
using Follow.Diagnostics;
using Follow.Model;
using Npgsql;

namespace Follow.Discovery;

/// <summary>Reads the source schema into a <see cref="Catalog"/>, in one repeatable-read transaction so it is consistent.</summary>
public static class CatalogReader
{
    public static async Task<Catalog> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);

        var version = Convert.ToInt32(await Scalar(connection, "SHOW server_version_num", cancellationToken));
        var rows = await ReadTables(connection, cancellationToken);
        var oids = rows.Select(r => r.Oid).ToArray();
        var columns = await ReadColumns(connection, oids, cancellationToken);
        var constraints = await ReadConstraints(connection, oids, rows, cancellationToken);
        var indexes = await ReadIndexes(connection, oids, cancellationToken);
        var sequences = await ReadSequences(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var tables = rows.Select(r =>
        {
            var keys = constraints.Keys.GetValueOrDefault(r.Oid) ?? [];
            return new Table(
                r.Name,
                r.Kind,
                columns.GetValueOrDefault(r.Oid) ?? [],
                keys.FirstOrDefault(k => k.Kind == KeyKind.PrimaryKey),
                [.. keys.Where(k => k.Kind != KeyKind.PrimaryKey)],
                constraints.ForeignKeys.GetValueOrDefault(r.Oid) ?? [],
                indexes.GetValueOrDefault(r.Oid) ?? [],
                constraints.Checks.GetValueOrDefault(r.Oid) ?? [],
                r.ReplicaIdentity,
                r.ReplicaIdentityIndex,
                r.PartitionOf,
                r.PartitionBound,
                r.PartitionKey,
                r.Unlogged,
                r.RowEstimate,
                r.SizeBytes,
                r.StorageParameters);
        }).ToList();
        return new Catalog(version, tables, sequences);
    }

    private sealed record TableRow(
        uint Oid, QualifiedName Name, TableKind Kind, ReplicaIdentity ReplicaIdentity, string? ReplicaIdentityIndex,
        QualifiedName? PartitionOf, string? PartitionBound, string? PartitionKey, bool Unlogged, double RowEstimate,
        long SizeBytes, string[] StorageParameters);

    private sealed record ConstraintSet(
        Dictionary<uint, List<KeyConstraint>> Keys,
        Dictionary<uint, List<ForeignKey>> ForeignKeys,
        Dictionary<uint, List<CheckConstraint>> Checks);

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string resource, uint[]? oids = null)
    {
        var command = new NpgsqlCommand(SqlResource.Load($"Discovery.Sql.{resource}"), connection);
        if (oids is not null) command.Parameters.Add(new NpgsqlParameter { Value = oids, DataTypeName = "oid[]" });
        return command;
    }

    private static async Task<List<TableRow>> ReadTables(NpgsqlConnection connection, CancellationToken ct)
    {
        var result = new List<TableRow>();
        await using var command = Command(connection, "tables.sql");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var parentSchema = reader.IsDBNull(6) ? null : reader.GetString(6);
            result.Add(new TableRow(
                reader.GetFieldValue<uint>(0),
                new QualifiedName(reader.GetString(1), reader.GetString(2)),
                reader.GetString(3) == "p" ? TableKind.Partitioned : TableKind.Regular,
                reader.GetString(4) switch
                {
                    "n" => ReplicaIdentity.Nothing,
                    "f" => ReplicaIdentity.Full,
                    "i" => ReplicaIdentity.Index,
                    _ => ReplicaIdentity.Default,
                },
                NullableString(reader, 5),
                parentSchema is null ? null : new QualifiedName(parentSchema, reader.GetString(7)),
                NullableString(reader, 8),
                NullableString(reader, 9),
                reader.GetBoolean(10),
                reader.GetDouble(11),
                reader.GetInt64(12),
                reader.GetFieldValue<string[]>(13)));
        }
        return result;
    }

    private static async Task<Dictionary<uint, List<Column>>> ReadColumns(NpgsqlConnection connection, uint[] oids, CancellationToken ct)
    {
        var result = new Dictionary<uint, List<Column>>();
        await using var command = Command(connection, "columns.sql", oids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var identity = NullableString(reader, 6);
            Bucket(result, reader.GetFieldValue<uint>(0)).Add(new Column(
                reader.GetString(1),
                reader.GetInt32(2),
                reader.GetString(3),
                reader.GetBoolean(4),
                NullableString(reader, 5),
                identity is null ? null : identity[0],
                NullableString(reader, 7),
                NullableString(reader, 8),
                reader.IsDBNull(9) ? null : reader.GetString(9)[0],
                reader.IsDBNull(10) ? null : reader.GetInt32(10)));
        }
        return result;
    }

    private static async Task<ConstraintSet> ReadConstraints(
        NpgsqlConnection connection, uint[] oids, List<TableRow> tables, CancellationToken ct)
    {
        var names = tables.ToDictionary(t => t.Oid, t => t.Name);
        var set = new ConstraintSet([], [], []);
        await using var command = Command(connection, "constraints.sql", oids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var oid = reader.GetFieldValue<uint>(0);
            var name = reader.GetString(1);
            var type = reader.GetString(2);
            var columns = reader.GetFieldValue<string[]>(3);
            var deferrable = reader.GetBoolean(10);
            var deferred = reader.GetBoolean(11);
            var definition = reader.GetString(12);
            switch (type)
            {
                case "p" or "u" or "x":
                    var kind = type switch { "p" => KeyKind.PrimaryKey, "u" => KeyKind.Unique, _ => KeyKind.Exclusion };
                    Bucket(set.Keys, oid).Add(new KeyConstraint(
                        name, kind, columns, reader.GetString(13), deferrable, deferred, definition, reader.GetBoolean(14)));
                    break;
                case "f":
                    Bucket(set.ForeignKeys, oid).Add(new ForeignKey(
                        name,
                        names[oid],
                        columns,
                        new QualifiedName(reader.GetString(4), reader.GetString(5)),
                        reader.GetFieldValue<string[]>(6),
                        reader.GetString(7)[0],
                        reader.GetString(8)[0],
                        reader.GetString(9)[0],
                        deferrable,
                        deferred,
                        definition,
                        reader.GetBoolean(15)));
                    break;
                default:
                    Bucket(set.Checks, oid).Add(new CheckConstraint(name, definition));
                    break;
            }
        }
        return set;
    }

    private static async Task<Dictionary<uint, List<Model.Index>>> ReadIndexes(NpgsqlConnection connection, uint[] oids, CancellationToken ct)
    {
        var result = new Dictionary<uint, List<Model.Index>>();
        await using var command = Command(connection, "indexes.sql", oids);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            Bucket(result, reader.GetFieldValue<uint>(0)).Add(new Model.Index(
                reader.GetString(1),
                reader.GetBoolean(2),
                reader.GetBoolean(3),
                reader.GetFieldValue<string?[]>(4),
                reader.GetBoolean(5),
                NullableString(reader, 6),
                reader.GetString(7)));
        }
        return result;
    }

    private static async Task<List<Sequence>> ReadSequences(NpgsqlConnection connection, CancellationToken ct)
    {
        var result = new List<Sequence>();
        await using var command = Command(connection, "sequences.sql");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var ownerSchema = NullableString(reader, 4);
            result.Add(new Sequence(
                new QualifiedName(reader.GetString(0), reader.GetString(1)),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                ownerSchema is null || reader.IsDBNull(6)
                    ? null
                    : new SequenceOwner(new QualifiedName(ownerSchema, reader.GetString(5)), reader.GetString(6)),
                reader.GetBoolean(7)));
        }
        return result;
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static List<T> Bucket<T>(Dictionary<uint, List<T>> map, uint key)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        return list;
    }
}
