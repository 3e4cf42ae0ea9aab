using Npgsql;

namespace Follow.Connections;

public static class CitusExtension
{
    /// <summary>Whether the database the session is in has the citus extension: a Citus coordinator.</summary>
    public static async Task<bool> HasCitusAsync(this NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
