using System.Globalization;
using System.Net;
using Npgsql;

namespace Follow.Connections;

/// <summary>
/// The libpq connection keywords Follow understands: how each is checked, which PG* variable carries it
/// to pg_dump and psql, and which Npgsql setting it becomes. Messages name keywords, never values.
/// </summary>
internal static class LibpqKeywords
{
    internal sealed record Spec(
        string Keyword,
        string? EnvironmentVariable,
        Func<string, string?> Problem,
        Action<NpgsqlConnectionStringBuilder, string>? ApplyToNpgsql);

    internal const string DefaultSocketDirectory = "/var/run/postgresql";
    internal const int DefaultPort = 5432;

    internal static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    internal static readonly string[] SessionAttributes = ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"];
    internal static readonly string[] SslNegotiations = ["postgres", "direct"];

    /// <summary>Never shown, in messages or display forms.</summary>
    internal static readonly string[] Secrets = ["password", "sslpassword"];

    // In this order in Keywords, the display form and the environment.
    internal static readonly Spec[] All =
    [
        // Host, hostaddr and port become Npgsql's Host and Port together; see ApplyAddress.
        new("host", "PGHOST", _ => null, null),
        new("hostaddr", "PGHOSTADDR", HostAddressProblem, null),
        new("port", "PGPORT", PortProblem, null),
        new("dbname", "PGDATABASE", _ => null, (b, v) => b.Database = v),
        new("user", "PGUSER", _ => null, (b, v) => b.Username = v),
        new("password", "PGPASSWORD", _ => null, (b, v) => b.Password = v),
        new("passfile", "PGPASSFILE", _ => null, (b, v) => b.Passfile = v),
        new("sslmode", "PGSSLMODE", v => OneOf(v, SslModes), (b, v) => b.SslMode = ToNpgsqlSslMode(v)),
        new("sslrootcert", "PGSSLROOTCERT", _ => null, (b, v) => b.RootCertificate = v),
        new("sslcert", "PGSSLCERT", _ => null, (b, v) => b.SslCertificate = v),
        new("sslkey", "PGSSLKEY", _ => null, (b, v) => b.SslKey = v),
        // libpq has no variable for the key's password: a child process must get it another way.
        new("sslpassword", null, _ => null, (b, v) => b.SslPassword = v),
        new("sslnegotiation", "PGSSLNEGOTIATION", v => OneOf(v, SslNegotiations),
            (b, v) => b.SslNegotiation = v == "direct" ? SslNegotiation.Direct : SslNegotiation.Postgres),
        // Npgsql refuses more than 1024 seconds.
        new("connect_timeout", "PGCONNECT_TIMEOUT", v => WholeNumberProblem(v, 0, 1024, "seconds"),
            (b, v) => b.Timeout = int.Parse(v, CultureInfo.InvariantCulture)),
        new("application_name", "PGAPPNAME", _ => null, (b, v) => b.ApplicationName = v),
        new("options", "PGOPTIONS", _ => null, (b, v) => b.Options = v),
        new("target_session_attrs", "PGTARGETSESSIONATTRS", v => OneOf(v, SessionAttributes),
            (b, v) => b.TargetSessionAttributes = v),
        // libpq's TCP keepalive has no variable; Npgsql's own keepalive is the setting it recommends.
        new("keepalives_idle", null, v => WholeNumberProblem(v, 0, int.MaxValue, "seconds"),
            (b, v) => b.KeepAlive = int.Parse(v, CultureInfo.InvariantCulture)),
        new("client_encoding", "PGCLIENTENCODING", ClientEncodingProblem, (b, _) => b.ClientEncoding = "UTF8"),
    ];

    internal static readonly Dictionary<string, Spec> ByKeyword = All.ToDictionary(s => s.Keyword, StringComparer.Ordinal);

    internal static string SupportedList => string.Join(", ", All.Select(s => s.Keyword));

    internal static bool IsSecret(string keyword) => Secrets.Contains(keyword, StringComparer.Ordinal);

    internal static string? ToLibpqSslMode(SslMode mode) => mode switch
    {
        SslMode.Disable => "disable",
        SslMode.Allow => "allow",
        SslMode.Prefer => "prefer",
        SslMode.Require => "require",
        SslMode.VerifyCA => "verify-ca",
        SslMode.VerifyFull => "verify-full",
        _ => null,
    };

    private static SslMode ToNpgsqlSslMode(string mode) => mode switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        _ => SslMode.VerifyFull,
    };

    private static string? OneOf(string value, string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal) ? null : "must be one of " + string.Join(", ", allowed);

    private static string? WholeNumberProblem(string value, int min, int max, string unit) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? null
            : max == int.MaxValue
                ? $"must be a whole number of {unit}"
                : $"must be a whole number of {unit} from {min} to {max}";

    private static string? PortProblem(string value) =>
        value.Split(',').All(p => p.Length == 0 || WholeNumberProblem(p, 1, 65535, "") is null)
            ? null
            : "must be a port number from 1 to 65535 (or a comma-separated list of them, one per host)";

    private static string? HostAddressProblem(string value) =>
        value.Split(',').All(a => a.Length == 0 || IPAddress.TryParse(a, out _))
            ? null
            : "must be a numeric IP address (or a comma-separated list of them, one per host)";

    // Npgsql decodes text as UTF-8 whatever client_encoding says, so any other encoding would garble data.
    private static string? ClientEncodingProblem(string value) =>
        value.Replace("-", "").Replace("_", "").ToUpperInvariant() is "UTF8" or "UNICODE"
            ? null
            : "must be UTF8: Follow reads and writes text as UTF-8";
}
