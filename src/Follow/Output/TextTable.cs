using System.Text;

namespace Follow.Cli.Output;

/// <summary>A plain, aligned text table: readable in a terminal, in a log and in a pipe alike.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string?[] cells) => _rows.Add([.. cells.Select(c => c ?? "")]);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        text.AppendJoin("-+-", widths.Select(w => new string('-', w))).Append('\n');
        foreach (var row in _rows) Line(text, row, widths);
        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        var line = string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i])));
        text.Append(line.TrimEnd()).Append('\n');
    }
}
