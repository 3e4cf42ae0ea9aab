namespace Follow.TargetSchema;

/// <summary>
/// One line of <c>pg_restore --list</c>: <c>dumpId; catalogOid objectOid DESC namespace tag owner</c>.
/// The object's catalog and oid identify it exactly; <see cref="Description"/> is the rest of the line, whose
/// names cannot be split reliably (they may hold spaces), so it is only matched by known prefixes.
/// </summary>
public sealed record TocEntry(string Line, int DumpId, uint CatalogOid, uint ObjectOid, string Description)
{
    public static TocEntry? Parse(string line)
    {
        if (line.Length == 0 || line[0] == ';') return null;
        var semicolon = line.IndexOf(';');
        if (semicolon < 0 || !int.TryParse(line.AsSpan(0, semicolon), out var dumpId)) return null;
        var parts = line[(semicolon + 1)..].TrimStart().Split(' ', 3);
        if (parts.Length < 3 || !uint.TryParse(parts[0], out var catalog) || !uint.TryParse(parts[1], out var oid)) return null;
        return new TocEntry(line, dumpId, catalog, oid, parts[2]);
    }

    public bool Is(string kind) => Description.StartsWith(kind + " ", StringComparison.Ordinal);
}
