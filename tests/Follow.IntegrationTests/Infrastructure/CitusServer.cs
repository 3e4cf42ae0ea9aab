namespace Follow.IntegrationTests.Infrastructure;

/// <summary>A Citus coordinator the tests do not start themselves: named by FOLLOW_TEST_CITUS_URI, if at all.</summary>
public static class CitusServer
{
    public const string UriVariable = "FOLLOW_TEST_CITUS_URI";

    public static string? Uri =>
        Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 } uri ? uri : null;

    public static bool IsAvailable => Uri is not null;
}
