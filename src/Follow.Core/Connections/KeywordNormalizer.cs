namespace Follow.Connections;

/// <summary>Checks parsed keywords and puts them in one canonical shape, whatever form they were written in.</summary>
internal static class KeywordNormalizer
{
    internal static OrderedDictionary<string, string> Normalize(
        IEnumerable<KeyValuePair<string, string>> pairs, string origin, Func<string, bool> directoryExists)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        string? previous = null;
        foreach (var (key, value) in pairs)
        {
            if (!LibpqKeywords.ByKeyword.TryGetValue(key, out var spec))
            {
                throw UnknownKeyword(origin, key, previous);
            }
            previous = key;
            // As in libpq, an empty value means the default.
            if (value.Length == 0)
            {
                given.Remove(key);
                continue;
            }
            if (spec.Problem(value) is { } problem)
            {
                throw ConnectionError.Create(origin, $"{key} {problem}");
            }
            given[key] = value;
        }

        FillDefaultHost(given, directoryExists);
        CheckListLengths(given, origin);

        var ordered = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in LibpqKeywords.All)
        {
            if (given.TryGetValue(spec.Keyword, out var value))
            {
                ordered.Add(spec.Keyword, value);
            }
        }
        return ordered;
    }

    /// <summary>libpq's default on Debian and Red Hat builds, if this machine has it; else TCP to localhost.</summary>
    internal static string DefaultHost(Func<string, bool> directoryExists) =>
        directoryExists(LibpqKeywords.DefaultSocketDirectory) ? LibpqKeywords.DefaultSocketDirectory : "localhost";

    private static Diagnostics.BadInputException UnknownKeyword(string origin, string key, string? previous)
    {
        // A secret with an unquoted space or '&' splits, and its tail shows up here as a "keyword".
        if (previous is not null && LibpqKeywords.IsSecret(previous))
        {
            return ConnectionError.Create(origin,
                $"the setting after {previous} is not a known keyword; if the {previous} contains spaces, quotes or '&', "
                + $"quote it ({previous}='...', with \\' and \\\\ inside) or percent-encode it in a URI");
        }
        var hint = LibpqKeywords.ByKeyword.ContainsKey(key.ToLowerInvariant()) ? " (keywords are lower case, as in libpq)" : "";
        return ConnectionError.Create(origin,
            $"unknown keyword \"{key}\"{hint}; supported keywords: {LibpqKeywords.SupportedList}");
    }

    private static void FillDefaultHost(Dictionary<string, string> given, Func<string, bool> directoryExists)
    {
        if (given.ContainsKey("hostaddr"))
        {
            return;
        }
        if (!given.TryGetValue("host", out var hosts))
        {
            given["host"] = DefaultHost(directoryExists);
        }
        else if (hosts.Split(',').Any(h => h.Length == 0))
        {
            given["host"] = string.Join(',', hosts.Split(',').Select(h => h.Length == 0 ? DefaultHost(directoryExists) : h));
        }
    }

    private static void CheckListLengths(Dictionary<string, string> given, string origin)
    {
        var hosts = Count(given, "host");
        var addresses = Count(given, "hostaddr");
        if (hosts > 0 && addresses > 0 && hosts != addresses)
        {
            throw ConnectionError.Create(origin, $"host lists {hosts} hosts but hostaddr lists {addresses} addresses; give one address per host");
        }
        var servers = Math.Max(hosts, addresses);
        var ports = Count(given, "port");
        if (ports > 1 && ports != servers)
        {
            throw ConnectionError.Create(origin, $"port lists {ports} ports for {servers} hosts; give one port for all, or one per host");
        }
    }

    private static int Count(Dictionary<string, string> given, string keyword) =>
        given.TryGetValue(keyword, out var list) ? list.Split(',').Length : 0;
}
