using System.Text;

namespace Follow.Planning;

/// <summary>Reads what the catalog model keeps only in a foreign key's <c>pg_get_constraintdef</c> text.</summary>
public static class ForeignKeyDefinition
{
    private const string DeleteSetDefault = " ON DELETE SET DEFAULT (";

    /// <summary>
    /// The columns of PostgreSQL 15's <c>ON DELETE SET DEFAULT (a, b)</c>; null when the action names none (it then
    /// sets every column of the key). Names come quoted where PostgreSQL quotes them, and are returned unquoted.
    /// </summary>
    public static IReadOnlyList<string>? DeleteSetColumns(string definition)
    {
        var at = definition.IndexOf(DeleteSetDefault, StringComparison.Ordinal);
        if (at < 0) return null;
        var columns = new List<string>();
        var name = new StringBuilder();
        var quoted = false;
        for (var i = at + DeleteSetDefault.Length; i < definition.Length; i++)
        {
            var c = definition[i];
            if (quoted)
            {
                if (c != '"') name.Append(c);
                else if (i + 1 < definition.Length && definition[i + 1] == '"') name.Append(definition[++i]);
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c is ',' or ')')
            {
                columns.Add(name.ToString());
                name.Clear();
                if (c == ')') return columns;
            }
            else if (c != ' ') name.Append(c);
        }
        return null;
    }
}
