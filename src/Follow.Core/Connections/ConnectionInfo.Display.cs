using System.Text;

namespace Follow.Connections;

public sealed partial class ConnectionInfo
{
    /// <summary>
    /// A postgres:// URI for messages and logs, e.g. postgres://app@db1:5432/shop?sslmode=require. Leaves out the
    /// password and sslpassword, and Npgsql-only settings. Socket directories go in ?host=, as libpq reads them.
    /// </summary>
    public string Redacted
    {
        get
        {
            var text = new StringBuilder("postgres://");
            if (User is { } user)
            {
                text.Append(Escape(user)).Append('@');
            }

            var hosts = Get("host")?.Split(',');
            var ports = Get("port")?.Split(',');
            var inAuthority = hosts is not null && !hosts.Any(h => h.StartsWith('/'));
            if (inAuthority)
            {
                text.AppendJoin(',', hosts!.Select((h, i) => HostAndPort(h, ports switch
                {
                    null => "",
                    [var single] => single,
                    _ => ports[i],
                })));
            }
            if (Database is { } database)
            {
                text.Append('/').Append(Escape(database));
            }

            var separator = '?';
            foreach (var (keyword, value) in _keywords)
            {
                if (keyword is "user" or "dbname" || LibpqKeywords.IsSecret(keyword)
                    || (inAuthority && keyword is "host" or "port"))
                {
                    continue;
                }
                text.Append(separator).Append(keyword).Append('=').Append(Escape(value).Replace("%2F", "/").Replace("%2C", ","));
                separator = '&';
            }
            return text.ToString();
        }
    }

    private static string HostAndPort(string host, string port)
    {
        var shown = IsIPv6(host) ? $"[{host}]" : Escape(host);
        return port.Length == 0 ? shown : $"{shown}:{port}";
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
