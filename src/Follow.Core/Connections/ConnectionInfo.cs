using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Follow.Diagnostics;

namespace Follow.Connections;

/// <summary>
/// How to reach one database, whichever way the operator wrote it: a <c>postgres://</c> (or pgloader
/// <c>pgsql://</c>) URI, a libpq <c>key=value</c> string or an Npgsql <c>Key=Value;</c> string. Holds the password,
/// but <see cref="ToString"/>, <see cref="Redacted"/> and every parse error leave it out.
/// </summary>
[DebuggerDisplay("{Redacted}")]
public sealed partial class ConnectionInfo
{
    private readonly OrderedDictionary<string, string> _keywords;
    private readonly string _npgsqlExtras;

    private ConnectionInfo(string origin, OrderedDictionary<string, string> keywords, string npgsqlExtras)
    {
        Origin = origin;
        _keywords = keywords;
        _npgsqlExtras = npgsqlExtras;
        Keywords = new ReadOnlyDictionary<string, string>(keywords);
    }

    /// <summary>Where the settings came from, for messages: "--source", "FOLLOW_SOURCE_PGURI", "rules.load: from".</summary>
    public string Origin { get; }

    /// <summary>
    /// The libpq keywords, checked and in a fixed order, for running pg_dump, pg_restore and psql. Holds the
    /// password: never log it. Empty values are left out, as libpq treats them as unset.
    /// </summary>
    public IReadOnlyDictionary<string, string> Keywords { get; }

    /// <summary>The host, socket directory or comma-separated list of them; hostaddr when only that was given.</summary>
    public string Host => Get("host") ?? Get("hostaddr")!;

    /// <summary>The port of the first host.</summary>
    public int Port => Get("port")?.Split(',')[0] is { Length: > 0 } port
        ? int.Parse(port, CultureInfo.InvariantCulture)
        : LibpqKeywords.DefaultPort;

    public string? Database => Get("dbname");
    public string? User => Get("user");
    public bool HasPassword => Get("password") is not null;
    public string? ApplicationName => Get("application_name");

    /// <summary>As libpq spells it ("verify-full"); null means libpq's and Npgsql's default, prefer.</summary>
    public string? SslMode => Get("sslmode");

    public static ConnectionInfo Parse(string text, string origin) => Parse(text, origin, Directory.Exists);

    internal static ConnectionInfo Parse(string text, string origin, Func<string, bool> directoryExists)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(origin);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw ConnectionError.Create(origin, "the connection string is empty");
        }

        List<KeyValuePair<string, string>> pairs;
        var extras = "";
        if (SchemePattern().Match(trimmed) is { Success: true } match)
        {
            var scheme = ConnectionUriParser.Schemes.FirstOrDefault(s => s.Equals(match.Groups[1].Value, StringComparison.OrdinalIgnoreCase))
                ?? throw ConnectionError.Create(origin, $"unsupported URI scheme \"{match.Groups[1].Value}\"; use postgres://, postgresql:// or pgsql://");
            pairs = ConnectionUriParser.Parse(scheme + trimmed[scheme.Length..], scheme, origin);
        }
        else if (HasUnquotedSemicolon(trimmed))
        {
            (pairs, extras) = NpgsqlFormReader.Parse(trimmed, origin);
        }
        else if (!trimmed.Contains('='))
        {
            throw ConnectionError.Create(origin,
                "the value is neither a URI (postgres://user@host:5432/dbname) nor keyword=value settings (host=... dbname=...)");
        }
        else
        {
            pairs = ConninfoParser.Parse(text, origin);
        }

        var info = new ConnectionInfo(origin, KeywordNormalizer.Normalize(pairs, origin, directoryExists), extras);
        // A setting Npgsql refuses fails here, named, rather than at the first connection.
        _ = info.BuildNpgsql();
        return info;
    }

    public ConnectionInfo WithDatabase(string database) => With("dbname", database);

    public ConnectionInfo WithApplicationName(string name) => With("application_name", name);

    /// <summary>
    /// The PG* variables that give a child process (pg_dump, pg_restore, psql) this connection, so the password
    /// stays off its command line. The caller should drop PG* variables the child would otherwise inherit.
    /// sslpassword and keepalives_idle have no variable.
    /// </summary>
    public IReadOnlyDictionary<string, string> LibpqEnvironment()
    {
        var environment = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (keyword, value) in _keywords)
        {
            if (LibpqKeywords.ByKeyword[keyword].EnvironmentVariable is { } variable)
            {
                environment.Add(variable, value);
            }
        }
        return new ReadOnlyDictionary<string, string>(environment);
    }

    /// <summary>The password and sslpassword, for <see cref="Redaction"/>.</summary>
    internal IEnumerable<string> Secrets =>
        LibpqKeywords.Secrets.Select(Get).Where(s => !string.IsNullOrEmpty(s))!;

    public override string ToString() => Redacted;

    private string? Get(string keyword) => _keywords.GetValueOrDefault(keyword);

    private ConnectionInfo With(string keyword, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        var keywords = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in LibpqKeywords.All)
        {
            if (spec.Keyword == keyword)
            {
                keywords.Add(keyword, value);
            }
            else if (_keywords.TryGetValue(spec.Keyword, out var existing))
            {
                keywords.Add(spec.Keyword, existing);
            }
        }
        return new ConnectionInfo(Origin, keywords, _npgsqlExtras);
    }

    // As in libpq, only a quote that opens a value quotes, and a backslash escapes: 'a;b' and a\;b stay key=value.
    private static bool HasUnquotedSemicolon(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }
            if (text[i] == ';')
            {
                return true;
            }
            if (text[i] != '=')
            {
                continue;
            }
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i < text.Length && text[i] == '\'')
            {
                for (i++; i < text.Length && text[i] != '\''; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }
                }
            }
            else
            {
                i--;
            }
        }
        return false;
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.\-]*)://")]
    private static partial Regex SchemePattern();
}
