using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace Follow.Connections;

/// <summary>
/// An Npgsql <c>Key=Value;Key=Value</c> string. Settings libpq also has become keywords; the rest (Pooling,
/// Search Path, ...) are kept as Npgsql-only extras that only Follow's own connections see.
/// </summary>
internal static class NpgsqlFormReader
{
    // Keyed by Npgsql's canonical names, the ones NpgsqlConnectionStringBuilder.Keys returns.
    private static readonly Dictionary<string, (string Keyword, Func<NpgsqlConnectionStringBuilder, string?> Read)> ToLibpq =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["Database"] = ("dbname", b => b.Database),
            ["Username"] = ("user", b => b.Username),
            ["Password"] = ("password", b => b.Password),
            ["Passfile"] = ("passfile", b => b.Passfile),
            ["SSL Mode"] = ("sslmode", b => LibpqKeywords.ToLibpqSslMode(b.SslMode)),
            ["Root Certificate"] = ("sslrootcert", b => b.RootCertificate),
            ["SSL Certificate"] = ("sslcert", b => b.SslCertificate),
            ["SSL Key"] = ("sslkey", b => b.SslKey),
            ["SSL Password"] = ("sslpassword", b => b.SslPassword),
            ["SSL Negotiation"] = ("sslnegotiation", b => b.SslNegotiation.ToString().ToLowerInvariant()),
            ["Timeout"] = ("connect_timeout", b => b.Timeout.ToString(CultureInfo.InvariantCulture)),
            ["Application Name"] = ("application_name", b => b.ApplicationName),
            ["Options"] = ("options", b => b.Options),
            ["Target Session Attributes"] = ("target_session_attrs", b => b.TargetSessionAttributes),
            ["Keepalive"] = ("keepalives_idle", b => b.KeepAlive.ToString(CultureInfo.InvariantCulture)),
            ["Client Encoding"] = ("client_encoding", b => b.ClientEncoding),
        };

    internal static (List<KeyValuePair<string, string>> Pairs, string Extras) Parse(string text, string origin)
    {
        var builder = Read(text, origin);
        var pairs = new List<KeyValuePair<string, string>>();
        var extras = new NpgsqlConnectionStringBuilder();
        foreach (var key in builder.Keys)
        {
            if (key.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                AddAddress(builder, pairs);
            }
            else if (key.Equals("Port", StringComparison.OrdinalIgnoreCase))
            {
                if (!builder.ShouldSerialize("Host"))
                {
                    pairs.Add(new("port", builder.Port.ToString(CultureInfo.InvariantCulture)));
                }
            }
            else if (ToLibpq.TryGetValue(key, out var map))
            {
                pairs.Add(new(map.Keyword, map.Read(builder) ?? ""));
            }
            else
            {
                extras[key] = builder[key];
            }
        }
        return (pairs, extras.ConnectionString);
    }

    private static NpgsqlConnectionStringBuilder Read(string text, string origin)
    {
        var generic = new DbConnectionStringBuilder();
        try
        {
            generic.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            throw ConnectionError.Create(origin,
                "the value contains ';', so it was read as an Npgsql connection string (Key=Value;Key=Value), but it is not one; "
                + "in a key=value string quote values holding ';' ('...'), in an Npgsql string quote them with double quotes");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        string? previous = null;
        foreach (string key in generic.Keys)
        {
            if (!builder.ContainsKey(key))
            {
                // After a password, an unknown "key" is likely the tail of a password that held ';'.
                throw previous is not null && IsSecret(previous)
                    ? ConnectionError.Create(origin, $"the setting after {previous} is not an Npgsql keyword; if the password contains ';', quote it with double quotes")
                    : ConnectionError.Create(origin, $"unknown Npgsql keyword \"{key}\"");
            }
            try
            {
                builder[key] = generic[key];
            }
            catch (ArgumentException)
            {
                // Npgsql's own message repeats the value, so it is not passed on.
                throw ConnectionError.Create(origin, $"Npgsql does not accept the value of {key}");
            }
            previous = key;
        }
        return builder;
    }

    private static bool IsSecret(string key)
    {
        var probe = new NpgsqlConnectionStringBuilder { [key] = "x" };
        return probe.Password is not null || probe.SslPassword is not null;
    }

    // Npgsql writes per-host ports into Host ("a:5433,[::1]:5434"); libpq keeps them in a parallel port list.
    private static void AddAddress(NpgsqlConnectionStringBuilder builder, List<KeyValuePair<string, string>> pairs)
    {
        var hosts = new List<string>();
        var ports = new List<string>();
        var defaultPort = builder.Port.ToString(CultureInfo.InvariantCulture);
        var anyPort = builder.ShouldSerialize("Port");
        foreach (var raw in (builder.Host ?? "").Split(','))
        {
            var entry = raw.Trim();
            string host;
            string? port = null;
            if (entry.StartsWith('[') && entry.IndexOf(']') is var close and > 0)
            {
                host = entry[1..close];
                if (entry.Length > close + 2 && entry[close + 1] == ':')
                {
                    port = entry[(close + 2)..];
                }
            }
            else if (entry.IndexOf(':') is var colon and > 0 && colon == entry.LastIndexOf(':'))
            {
                host = entry[..colon];
                port = entry[(colon + 1)..];
            }
            else
            {
                host = entry;
            }
            anyPort |= port is not null;
            hosts.Add(host);
            ports.Add(port ?? defaultPort);
        }
        pairs.Add(new("host", string.Join(',', hosts)));
        if (anyPort)
        {
            pairs.Add(new("port", ports.Distinct().Count() == 1 ? ports[0] : string.Join(',', ports)));
        }
    }
}
