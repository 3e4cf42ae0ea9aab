using Follow.Connections;
using Follow.Discovery;
using Follow.Model;
using Npgsql;

namespace Follow.Compare;

/// <summary>The target's catalog, read as the source's is, and whether the target is a Citus coordinator.</summary>
public sealed record TargetCatalog(Catalog Catalog, bool IsCitus)
{
    public static async Task<TargetCatalog> ReadAsync(ConnectionInfo target, CancellationToken cancellationToken)
    {
        await using var connection = await CompareConnections.OpenAsync(ConnectionRole.Target, target, cancellationToken);
        try
        {
            var catalog = await CatalogReader.ReadAsync(connection, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')", connection);
            var citus = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
            return new TargetCatalog(catalog, citus);
        }
        catch (Exception ex) when (CompareConnections.IsConnectionFailure(ex))
        {
            throw CompareConnections.Failure(ConnectionRole.Target, target, "cannot read the catalog of", ex);
        }
    }
}
