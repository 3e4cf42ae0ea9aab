using System.Globalization;
using Npgsql;

namespace Follow.Connections;

public sealed partial class ConnectionInfo
{
    /// <summary>A fresh builder each call, so callers may change it (pooling, replication mode) freely.</summary>
    public NpgsqlConnectionStringBuilder ToNpgsqlBuilder() => BuildNpgsql();

    /// <summary>Holds the password: hand it to Npgsql, never to a log.</summary>
    public string ToNpgsqlConnectionString() => BuildNpgsql().ConnectionString;

    private NpgsqlConnectionStringBuilder BuildNpgsql()
    {
        var builder = new NpgsqlConnectionStringBuilder(_npgsqlExtras);
        ApplyAddress(builder);
        foreach (var (keyword, value) in _keywords)
        {
            if (LibpqKeywords.ByKeyword[keyword].ApplyToNpgsql is not { } apply)
            {
                continue;
            }
            try
            {
                apply(builder, value);
            }
            catch (ArgumentException)
            {
                // Npgsql's message repeats the value.
                throw ConnectionError.Create(Origin, $"Npgsql does not accept the value of {keyword}");
            }
        }
        return builder;
    }

    // Npgsql has one address setting. hostaddr stands in only when host is absent: host is what verify-full checks.
    private void ApplyAddress(NpgsqlConnectionStringBuilder builder)
    {
        var hosts = (Get("host") ?? Get("hostaddr")!).Split(',');
        var ports = Get("port")?.Split(',') ?? [];
        if (ports.Length == 1)
        {
            builder.Port = int.Parse(ports[0], CultureInfo.InvariantCulture);
        }
        if (ports.Length <= 1)
        {
            builder.Host = string.Join(',', hosts.Select(h => hosts.Length > 1 ? Bracketed(h) : h));
            return;
        }
        // One port per host: Npgsql takes them inside Host, as "host:port".
        builder.Host = string.Join(',', hosts.Zip(ports, (h, p) => p.Length == 0 ? Bracketed(h) : $"{Bracketed(h)}:{p}"));
    }

    private static bool IsIPv6(string host) => host.Contains(':') && !host.StartsWith('/');

    private static string Bracketed(string host) => IsIPv6(host) ? $"[{host}]" : host;
}
