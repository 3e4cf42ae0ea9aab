using Follow.IntegrationTests.Infrastructure;

namespace Follow.IntegrationTests.Privileges;

/// <summary>
/// Roles without superuser for one test. Roles belong to the whole server: each test names its own, and drops it at the
/// end with what it owns and was granted.
/// </summary>
internal sealed class Roles : IAsyncDisposable
{
    private readonly List<(TestDatabase Database, string Role)> _created = [];

    public static string NewName(string hint) => $"{hint}_{Guid.NewGuid():N}"[..(hint.Length + 13)];

    /// <summary>Creates <paramref name="role"/> (LOGIN plus <paramref name="attributes"/>) on the server of <paramref name="database"/>.</summary>
    public async Task<string> CreateAsync(TestDatabase database, string role, string attributes = "")
    {
        await database.ExecuteAsync($"CREATE ROLE \"{role}\" LOGIN {attributes}");
        _created.Add((database, role));
        return role;
    }

    /// <summary>Gives every table of the schema public to <paramref name="role"/> (their sequences go with them), but those named.</summary>
    public static Task GiveTablesAsync(TestDatabase database, string role, params string[] except) => database.ExecuteAsync($"""
        DO $$
        DECLARE t record;
        BEGIN
            FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY (string_to_array('{string.Join(',', except)}', ','))) LOOP
                EXECUTE format('ALTER TABLE public.%I OWNER TO %I', t.tablename, '{role}');
            END LOOP;
        END $$
        """);

    /// <summary>The database's URI with <paramref name="role"/> as the user.</summary>
    public static string Uri(TestDatabase database, string role) => database.Uri.Replace("postgres@", $"{role}@");

    public async ValueTask DisposeAsync()
    {
        foreach (var (database, role) in _created)
        {
            await database.ExecuteAsync($"REASSIGN OWNED BY \"{role}\" TO postgres; DROP OWNED BY \"{role}\"");
            await database.ExecuteAsync($"DROP ROLE \"{role}\"");
        }
    }
}
