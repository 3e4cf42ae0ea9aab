using Follow.Connections;
using Follow.Diagnostics;
using Npgsql;

namespace Follow.Compare;

/// <summary>
/// One side's read transaction of a comparison (<see cref="ComparisonSession"/>), in an exported snapshot or not; a
/// failure is the source's (exit 6) or the target's (exit 7).
/// </summary>
internal sealed class CompareSide(NpgsqlConnection connection, NpgsqlTransaction transaction, ConnectionRole role, ConnectionInfo info) : IAsyncDisposable
{
    public static async Task<CompareSide> OpenAsync(
        ComparisonSession session, ConnectionRole role, ConnectionInfo info, string? snapshot, bool citus, CancellationToken cancellationToken)
    {
        var connection = await CompareConnections.OpenAsync(role, info, cancellationToken);
        try
        {
            return new CompareSide(connection, await session.BeginAsync(connection, snapshot, citus, cancellationToken), role, info);
        }
        catch (PostgresException ex) when (snapshot is not null && ex.SqlState == PostgresErrorCodes.InvalidParameterValue)
        {
            await connection.DisposeAsync();
            throw new BadInputException(
                $"the source has no exported snapshot {snapshot} ({ex.MessageText}): a snapshot exists only while the session that exported it stays in its transaction",
                ex);
        }
        catch (Exception ex) when (CompareConnections.IsConnectionFailure(ex))
        {
            await connection.DisposeAsync();
            throw CompareConnections.Failure(role, info, "cannot start a read transaction on", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a query and reads every row; <paramref name="what"/> names it in an error (the checksum of public.ads).</summary>
    public async Task ReadAsync(string sql, string what, object? parameter, Action<NpgsqlDataReader> row, CancellationToken cancellationToken)
    {
        try
        {
            // A large table takes longer than Npgsql's default 30 seconds; stopping goes through the token.
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            if (parameter is not null) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) row(reader);
        }
        catch (Exception ex) when (CompareConnections.IsConnectionFailure(ex))
        {
            throw CompareConnections.Failure(role, info, $"cannot compute {what} on", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
