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
            return new TargetCatalog(catalog, await connection.HasCitusAsync(cancellationToken));
        }
        catch (Exception ex) when (CompareConnections.IsConnectionFailure(ex))
        {
            throw CompareConnections.Failure(ConnectionRole.Target, target, "cannot read the catalog of", ex);
        }
    }
}
