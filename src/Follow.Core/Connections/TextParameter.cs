using Npgsql;
using NpgsqlTypes;

namespace Follow.Connections;

/// <summary>The one way a value of the stream is bound: its PostgreSQL text form, typed by the server from its context.</summary>
public static class TextParameter
{
    public static NpgsqlParameter Of(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown };
}
