using System.Globalization;
using System.Text;

namespace Follow.Connections;

/// <summary>
/// <c>scheme://[user[:password]@][host][:port][,host[:port]...][/dbname][?keyword=value&amp;...]</c>, read as libpq
/// reads it. <c>pgsql://</c> also takes pgloader's additions: <c>@@</c> and <c>::</c> for a literal <c>@</c> and
/// <c>:</c> in the user and password, and <c>unix:/socket/dir:port</c> as the host.
/// </summary>
internal static class ConnectionUriParser
{
    internal static readonly string[] Schemes = ["postgresql", "postgres", "pgsql"];

    internal static List<KeyValuePair<string, string>> Parse(string text, string scheme, string origin)
    {
        var pgloader = scheme == "pgsql";
        var rest = text[(scheme.Length + "://".Length)..];
        var pairs = new List<KeyValuePair<string, string>>();

        var at = pgloader ? FirstSingleAt(rest) : LastAtBeforeSlash(rest);
        if (at >= 0)
        {
            ReadUserInfo(rest[..at], pgloader, origin, pairs);
            rest = rest[(at + 1)..];
        }

        if (pgloader && rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            rest = ReadPgloaderSocket(rest["unix:".Length..], origin, pairs);
        }
        else
        {
            var end = rest.IndexOfAny(['/', '?']);
            ReadHosts(end < 0 ? rest : rest[..end], origin, pairs);
            rest = end < 0 ? "" : rest[end..];
        }

        var question = rest.IndexOf('?');
        var path = question < 0 ? rest : rest[..question];
        if (path.Length > 1)
        {
            pairs.Add(new("dbname", Decode(path[1..], "the database name", origin)));
        }
        if (question >= 0)
        {
            ReadQuery(rest[(question + 1)..], origin, pairs);
        }
        return pairs;
    }

    // A password may hold an '@' that was not percent-encoded; a '/' ends the host list before the user is seen.
    private static int LastAtBeforeSlash(string rest)
    {
        var slash = rest.IndexOf('/');
        return slash == 0 || rest.Length == 0 ? -1 : rest.LastIndexOf('@', slash < 0 ? rest.Length - 1 : slash - 1);
    }

    // pgloader ends the password at the first '@' that is not doubled, so it may contain '/' and '?'.
    private static int FirstSingleAt(string rest)
    {
        var end = rest.Length;
        for (var i = 0; i < end; i++)
        {
            if (rest[i] != '@')
            {
                continue;
            }
            if (i + 1 < end && rest[i + 1] == '@')
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }

    private static void ReadUserInfo(string userInfo, bool pgloader, string origin, List<KeyValuePair<string, string>> pairs)
    {
        if (pgloader)
        {
            userInfo = userInfo.Replace("@@", "@");
        }
        var colon = pgloader ? FirstSingleColon(userInfo) : userInfo.IndexOf(':');
        var user = colon < 0 ? userInfo : userInfo[..colon];
        if (pgloader)
        {
            user = user.Replace("::", ":");
        }
        pairs.Add(new("user", Decode(user, "the user name", origin)));
        if (colon >= 0)
        {
            pairs.Add(new("password", Decode(userInfo[(colon + 1)..], "the password", origin)));
        }
    }

    private static int FirstSingleColon(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != ':')
            {
                continue;
            }
            if (i + 1 < text.Length && text[i + 1] == ':')
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }

    private static void ReadHosts(string hostList, string origin, List<KeyValuePair<string, string>> pairs)
    {
        if (hostList.Length == 0)
        {
            return;
        }
        var hosts = new List<string>();
        var ports = new List<string>();
        foreach (var entry in hostList.Split(','))
        {
            string host;
            var portText = "";
            if (entry.StartsWith('['))
            {
                var close = entry.IndexOf(']');
                if (close < 0)
                {
                    throw ConnectionError.Create(origin, "an IPv6 address in the URI has no closing \"]\"");
                }
                host = entry[1..close];
                var after = entry[(close + 1)..];
                if (after.Length > 0 && after[0] != ':')
                {
                    throw ConnectionError.Create(origin, "an IPv6 address in the URI must be followed by \":port\", \",\", \"/\" or \"?\"");
                }
                portText = after.Length > 0 ? after[1..] : "";
            }
            else
            {
                var colon = entry.IndexOf(':');
                host = Decode(colon < 0 ? entry : entry[..colon], "a host name", origin);
                portText = colon < 0 ? "" : entry[(colon + 1)..];
            }
            hosts.Add(host);
            ports.Add(Decode(portText, "a port", origin));
        }
        pairs.Add(new("host", string.Join(',', hosts)));
        if (ports.Any(p => p.Length > 0))
        {
            pairs.Add(new("port", string.Join(',', ports)));
        }
    }

    // pgloader writes a socket directory as unix:/dir:port/dbname (the port may be empty), "::" standing for ':'.
    private static string ReadPgloaderSocket(string rest, string origin, List<KeyValuePair<string, string>> pairs)
    {
        var directory = new StringBuilder();
        var i = 0;
        while (i < rest.Length && (rest[i] != ':' || (i + 1 < rest.Length && rest[i + 1] == ':')))
        {
            directory.Append(rest[i]);
            i += rest[i] == ':' ? 2 : 1;
        }
        if (directory.Length == 0 || i == rest.Length)
        {
            throw ConnectionError.Create(origin, "write a pgloader socket directory as unix:/directory:port, as in pgsql://unix:/tmp:5432/dbname");
        }
        pairs.Add(new("host", directory.ToString()));
        var start = ++i;
        while (i < rest.Length && char.IsAsciiDigit(rest[i]))
        {
            i++;
        }
        pairs.Add(new("port", rest[start..i]));
        return rest[i..];
    }

    private static void ReadQuery(string query, string origin, List<KeyValuePair<string, string>> pairs)
    {
        foreach (var parameter in query.Split('&'))
        {
            if (parameter.Length == 0)
            {
                continue;
            }
            var equals = parameter.IndexOf('=');
            if (equals < 0)
            {
                // Never shown: after "password=", a stray '&' splits the password and its tail lands here.
                throw ConnectionError.Create(origin, "a URI query parameter has no \"=\"; write ?keyword=value&keyword=value and percent-encode '&' inside values");
            }
            var key = Decode(parameter[..equals], "a query parameter name", origin);
            var value = Decode(parameter[(equals + 1)..], $"the value of {key}", origin);
            // libpq takes ssl=true, the JDBC spelling, as sslmode=require.
            if (key == "ssl")
            {
                if (value != "true")
                {
                    throw ConnectionError.Create(origin, "the URI parameter ssl accepts only \"true\"; use sslmode for other choices");
                }
                key = "sslmode";
                value = "require";
            }
            pairs.Add(new(key, value));
        }
    }

    private static string Decode(string text, string what, string origin)
    {
        if (!text.Contains('%'))
        {
            return text;
        }
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                continue;
            }
            if (i + 2 >= text.Length
                || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                throw ConnectionError.Create(origin, $"{what} in the URI has a '%' not followed by two hexadecimal digits; write a literal '%' as %25");
            }
            if (b == 0)
            {
                throw ConnectionError.Create(origin, $"{what} in the URI contains %00, which PostgreSQL cannot take");
            }
            bytes.Add(b);
            i += 2;
        }
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw ConnectionError.Create(origin, $"{what} in the URI is percent-encoded but not valid UTF-8");
        }
    }
}
