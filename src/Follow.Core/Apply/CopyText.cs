using System.Text;

namespace Follow.Apply;

/// <summary>
/// Rows in COPY's text format: the stream's values are already the columns' text forms, so they go as they are,
/// escaped.
/// </summary>
public static class CopyText
{
    public static void AppendRow(StringBuilder line, string?[] row)
    {
        line.Clear();
        for (var c = 0; c < row.Length; c++)
        {
            if (c > 0) line.Append('\t');
            Append(line, row[c]);
        }
        line.Append('\n');
    }

    private static void Append(StringBuilder line, string? value)
    {
        if (value is null)
        {
            line.Append("\\N");
            return;
        }
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': line.Append("\\\\"); break;
                case '\t': line.Append("\\t"); break;
                case '\n': line.Append("\\n"); break;
                case '\r': line.Append("\\r"); break;
                default: line.Append(c); break;
            }
        }
    }
}
