using System.Text;
using Follow.Diagnostics;

namespace Follow.Rules;

/// <summary>Reads a table name given on the command line: <c>table</c>, <c>schema.table</c>, parts optionally double-quoted.</summary>
public static class TableNameText
{
    public static TableRef Parse(string text, string origin)
    {
        var parts = new List<string>();
        var i = 0;
        while (true)
        {
            var part = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) throw Bad(text, origin, "an unterminated double quote");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { part.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    part.Append(text[i++]);
                }
            }
            else
            {
                while (i < text.Length && text[i] != '.') part.Append(char.ToLowerInvariant(text[i++]));
            }
            if (part.Length == 0) throw Bad(text, origin, "an empty name");
            parts.Add(part.ToString());
            if (i == text.Length) break;
            if (text[i] != '.') throw Bad(text, origin, "text after a quoted name");
            i++;
        }
        return parts.Count switch
        {
            1 => new TableRef(null, parts[0]),
            2 => new TableRef(parts[0], parts[1]),
            _ => throw Bad(text, origin, "more than two dot-separated parts"),
        };
    }

    private static BadInputException Bad(string text, string origin, string problem) =>
        new($"{origin} {text}: {problem}; write table, schema.table, or \"Quoted Name\"");
}
