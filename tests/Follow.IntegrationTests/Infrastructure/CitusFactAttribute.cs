namespace Follow.IntegrationTests.Infrastructure;

/// <summary>A fact that needs Citus: skipped, and counted as skipped, when no coordinator is configured.</summary>
public sealed class CitusFactAttribute : FactAttribute
{
    public CitusFactAttribute()
    {
        if (!CitusServer.IsAvailable)
        {
            Skip = $"Needs Citus: set {CitusServer.UriVariable} to a coordinator, e.g. postgres://postgres@127.0.0.1:5432/postgres";
        }
    }
}
