using System.Text;
using Follow.Connections;
using Follow.Model;
using Follow.Planning;
using Npgsql;

namespace Follow.Apply;

/// <summary>
/// The columns of target tables in their row type's order, read once a table: an update of array columns goes to
/// Citus as an array of the table's own row type. Citus refuses a cast from text in SET (array input is STABLE), but
/// takes the row array as a constant it ships to the shards, where its fields are plain column references.
/// </summary>
public sealed class TargetRowTypes
{
    private readonly Dictionary<TablePlan, string[]> _columns = new(ReferenceEqualityComparer.Instance);

    public bool Knows(TablePlan table) => _columns.ContainsKey(table);

    public string[] Columns(TablePlan table) => _columns[table];

    public async Task LearnAsync(NpgsqlConnection connection, TablePlan table, CancellationToken cancellationToken)
    {
        if (Knows(table)) return;
        await using var command = new NpgsqlCommand(
            "SELECT attname FROM pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", connection);
        command.Parameters.Add(TextParameter.Of(table.Name.Quoted));
        var columns = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) columns.Add(reader.GetString(0));
        }
        _columns[table] = [.. columns];
    }

    /// <summary>A row of the table's type in text, with <paramref name="values"/> of <paramref name="columns"/> and NULL elsewhere.</summary>
    public static string Literal(string[] tableColumns, IReadOnlyList<string> columns, IReadOnlyList<string?> values)
    {
        var fields = new string?[tableColumns.Length];
        for (var i = 0; i < columns.Count; i++) fields[Array.IndexOf(tableColumns, columns[i])] = values[i];
        var text = new StringBuilder("(");
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) text.Append(',');
            if (fields[i] is not { } value) continue;
            text.Append('"');
            foreach (var c in value)
            {
                if (c is '"' or '\\') text.Append('\\');
                text.Append(c);
            }
            text.Append('"');
        }
        return text.Append(')').ToString();
    }
}
