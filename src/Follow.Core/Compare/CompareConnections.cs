using Follow.Connections;
using Follow.Diagnostics;
using Npgsql;

namespace Follow.Compare;

/// <summary>Opens the compared databases; a failure is the source's (exit 6) or the target's (exit 7).</summary>
internal static class CompareConnections
{
    public static async Task<NpgsqlConnection> OpenAsync(ConnectionRole role, ConnectionInfo info, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(info.WithApplicationName("follow").ToNpgsqlConnectionString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            await connection.DisposeAsync();
            throw Failure(role, info, "cannot connect to", ex);
        }
    }

    public static bool IsConnectionFailure(Exception ex) => ex is NpgsqlException or TimeoutException or IOException;

    public static FollowException Failure(ConnectionRole role, ConnectionInfo info, string what, Exception ex) =>
        new($"{what} the {role.Name} database {info.Redacted}: {ex.Message}",
            role == ConnectionRole.Source ? ExitCode.SourceFailure : ExitCode.TargetFailure, ex);
}
