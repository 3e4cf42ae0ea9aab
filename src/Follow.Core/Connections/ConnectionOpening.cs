using Follow.Diagnostics;
using Npgsql;

namespace Follow.Connections;

public static class ConnectionOpening
{
    /// <summary>
    /// Opens a session; a server that cannot be reached is that side's failure (exit 6 for the source, 7 for the
    /// target), named by its redacted connection.
    /// </summary>
    /// <param name="bulk">For COPY streams: socket buffers of 128 kB instead of 8 kB, a system call per 128 kB.</param>
    /// <param name="prepare">
    /// For the applier: statements run again and again are prepared once by Npgsql, and the session is not pooled
    /// (it holds the replication origin, which a pooled session would carry to the next one opened).
    /// </param>
    /// <param name="serverOptions">Settings for the session's whole life (<c>-c name=value</c>), which the reset of a
    /// pooled session keeps.</param>
    /// <param name="errorDetail">
    /// For sessions that run Follow's own DDL, which carries no row values: the server's DETAIL of an error is kept
    /// (Npgsql redacts it by default), since it is often the only place that says why (Citus' reasons are there).
    /// </param>
    public static async Task<NpgsqlConnection> OpenAsync(
        this ConnectionInfo connection, string applicationName, ExitCode failure, CancellationToken cancellationToken, bool bulk = false,
        bool prepare = false, bool errorDetail = false, string? serverOptions = null)
    {
        var builder = connection.WithApplicationName(applicationName).ToNpgsqlBuilder();
        if (errorDetail) builder.IncludeErrorDetail = true;
        if (serverOptions is not null) builder.Options = builder.Options is { Length: > 0 } given ? $"{given} {serverOptions}" : serverOptions;
        if (prepare)
        {
            builder.MaxAutoPrepare = 256;
            builder.AutoPrepareMinUsages = 2;
            builder.Pooling = false;
        }
        if (bulk)
        {
            builder.ReadBufferSize = 1 << 17;
            builder.WriteBufferSize = 1 << 17;
        }
        var npgsql = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await npgsql.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            await npgsql.DisposeAsync();
            var side = failure == ExitCode.SourceFailure ? "source" : "target";
            throw new FollowException($"cannot connect to the {side} database {connection.Redacted}: {ex.Message}", failure, ex);
        }
        return npgsql;
    }
}
