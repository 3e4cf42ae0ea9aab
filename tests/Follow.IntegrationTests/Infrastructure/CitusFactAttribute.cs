namespace Follow.IntegrationTests.Infrastructure;

/// <summary>
/// A fact that needs Citus: it runs on the cluster the harness starts when Citus is installed (or on the coordinator
/// FOLLOW_TEST_CITUS_URI names), and is skipped, and counted as skipped, with the way to get Citus otherwise.
/// </summary>
public sealed class CitusFactAttribute : FactAttribute
{
    public CitusFactAttribute()
    {
        if (CitusServer.UnavailableReason is { } reason) Skip = reason;
    }
}
