using System.Text;

namespace Follow.Connections;

/// <summary>libpq's <c>key=value</c> form, read by libpq's own rules (conninfo_parse) so psql and Follow agree.</summary>
internal static class ConninfoParser
{
    internal static List<KeyValuePair<string, string>> Parse(string text, string origin)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (true)
        {
            SkipSpace(text, ref i);
            if (i == text.Length)
            {
                return pairs;
            }

            var start = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            var key = text[start..i];
            if (key.Length == 0)
            {
                throw ConnectionError.Create(origin, $"the key=value string has \"=\" without a keyword at character {start + 1}");
            }
            SkipSpace(text, ref i);
            if (i == text.Length || text[i] != '=')
            {
                throw MissingEquals(origin, start, pairs);
            }
            i++;
            // libpq skips spaces after '=' too, so "host= dbname=x" gives host the value "dbname=x".
            SkipSpace(text, ref i);
            pairs.Add(new(key, ReadValue(text, ref i, origin)));
        }
    }

    private static string ReadValue(string text, ref int i, string origin)
    {
        var value = new StringBuilder();
        if (i < text.Length && text[i] == '\'')
        {
            i++;
            while (true)
            {
                if (i == text.Length)
                {
                    throw ConnectionError.Create(origin, "a quoted value has no closing quote (') in the key=value string");
                }
                var c = text[i++];
                if (c == '\\')
                {
                    if (i < text.Length)
                    {
                        value.Append(text[i++]);
                    }
                }
                else if (c == '\'')
                {
                    return value.ToString();
                }
                else
                {
                    value.Append(c);
                }
            }
        }

        while (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            var c = text[i++];
            if (c == '\\')
            {
                if (i < text.Length)
                {
                    value.Append(text[i++]);
                }
            }
            else
            {
                value.Append(c);
            }
        }
        return value.ToString();
    }

    // The word is never shown: it may be a password given alone or the tail of an unquoted one.
    private static Diagnostics.BadInputException MissingEquals(string origin, int start, List<KeyValuePair<string, string>> pairs)
    {
        if (pairs.Count > 0 && LibpqKeywords.IsSecret(pairs[^1].Key))
        {
            var secret = pairs[^1].Key;
            return ConnectionError.Create(origin,
                $"a word after {secret} has no \"=\"; if the {secret} contains spaces, quote it: {secret}='...' (with \\' and \\\\ inside)");
        }
        return ConnectionError.Create(origin,
            $"the word at character {start + 1} has no \"=\"; write settings as keyword=value, separated by spaces");
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }
}
