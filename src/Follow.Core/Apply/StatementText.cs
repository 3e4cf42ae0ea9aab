using System.Text;
using Follow.Model;

namespace Follow.Apply;

/// <summary>
/// The SQL text of a shape's statements: for one row; for several, one placeholder a value in a VALUES list; or one
/// array a column through <c>unnest</c>. Each VALUES or array column of an update or delete is cast to its column's
/// type on the target, since a list compared with the table's columns would otherwise be text.
/// </summary>
public sealed class StatementText
{
    // By shape and row count; 0 for the statement that takes arrays.
    private readonly Dictionary<(Shape, int), string> _statements = [];

    /// <summary>The statement for <paramref name="rows"/> rows of a shape (0: one array a column).</summary>
    public string For(Shape shape, int rows)
    {
        if (_statements.TryGetValue((shape, rows), out var sql)) return sql;
        sql = shape.Kind != ChangeKind.Insert && rows == 1 ? Single(shape) : Multi(shape, rows);
        return _statements[(shape, rows)] = sql;
    }

    /// <summary>
    /// The array statement of an update or delete of a distributed table, with one more array: the rows' distribution
    /// keys, all of one shard, which Citus prunes the statement to.
    /// </summary>
    public string ForShard(Shape shape)
    {
        if (_statements.TryGetValue((shape, -1), out var sql)) return sql;
        var column = shape.Columns[shape.Set];
        var type = shape.Types[shape.Set];
        return _statements[(shape, -1)] = $"{For(shape, 0)} AND t.{Sql.Ident(column)} = ANY(${shape.Columns.Count + 1}::{type}[])";
    }

    /// <summary>
    /// An update of a distributed table by shard (<see cref="ForShard"/>) whose SET values come as an array of the
    /// table's row type ($1; <see cref="TargetRowTypes"/>), and its WHERE values as one array a column.
    /// </summary>
    public string ForRowType(Shape shape, string[] tableColumns)
    {
        if (_statements.TryGetValue((shape, -2), out var sql)) return sql;
        var table = shape.Table.Name.Quoted;
        var where = shape.WhereColumns.ToList();
        var arrays = string.Join(", ", where.Select((_, i) => $"${i + 2}::{shape.Types[shape.Set + i]}[]"));
        var names = string.Join(", ", tableColumns.Select(Sql.Ident).Concat(where.Select((_, i) => Sql.Ident($"follow where {i + 1}"))));
        var set = string.Join(", ", shape.Columns.Take(shape.Set).Select(c => $"{Sql.Ident(c)} = v.{Sql.Ident(c)}"));
        var join = string.Join(" AND ", where.Select((c, i) => $"t.{Sql.Ident(c)} = v.{Sql.Ident($"follow where {i + 1}")}"));
        return _statements[(shape, -2)] = $"UPDATE {table} AS t SET {set} FROM unnest($1::{table}[], {arrays}) AS v({names}) WHERE {join} "
            + $"AND t.{Sql.Ident(where[0])} = ANY(${where.Count + 2}::{shape.Types[shape.Set]}[])";
    }

    /// <summary>An update or delete of one row, found by its WHERE columns (and IS NULL for its NULL key parts).</summary>
    private static string Single(Shape shape)
    {
        var n = 0;
        var where = string.Join(" AND ", shape.WhereColumns.Select(c => $"{Sql.Ident(c)} = ${++n + shape.Set}")
            .Concat(shape.NullColumns.Select(c => $"{Sql.Ident(c)} IS NULL")));
        var table = shape.Table.Name.Quoted;
        return shape.Kind == ChangeKind.Update
            ? $"UPDATE {table} SET {string.Join(", ", shape.Columns.Take(shape.Set).Select((c, i) => $"{Sql.Ident(c)} = ${i + 1}"))} WHERE {where}"
            : $"DELETE FROM {table} WHERE {where}";
    }

    private static string Multi(Shape shape, int rows)
    {
        var table = shape.Table;
        var typed = shape.Kind != ChangeKind.Insert;
        var arrays = rows == 0;
        var values = arrays
            ? $"unnest({string.Join(", ", shape.Types.Select((t, i) => $"${i + 1}::{(AsText(t) ? "text" : t)}[]"))})"
            : Values(shape, rows, typed);
        var source = arrays ? values : $"(VALUES {values})";
        return shape.Kind switch
        {
            ChangeKind.Insert => $"INSERT INTO {table.Name.Quoted} ({Sql.Idents(shape.Columns)}){Overriding(shape.Table.Source)} "
                + (arrays ? $"SELECT {string.Join(", ", shape.Columns.Select((_, i) => Value(shape, i, arrays)))} FROM {values} AS v({ValueNames(shape)})" : $"VALUES {values}"),
            ChangeKind.Update => $"UPDATE {table.Name.Quoted} AS t SET {string.Join(", ", shape.Columns.Take(shape.Set).Select((c, i) => $"{Sql.Ident(c)} = {Value(shape, i, arrays)}"))} "
                + $"FROM {source} AS v({ValueNames(shape)}) WHERE {Join(shape, arrays)}",
            _ => $"DELETE FROM {table.Name.Quoted} AS t USING {source} AS v({ValueNames(shape)}) WHERE {Join(shape, arrays)}",
        };
    }

    /// <summary>
    /// Whether a column's values go through <c>unnest</c> as text, cast where they are used: an array would be
    /// flattened into its elements, and box's arrays are separated by semicolons.
    /// </summary>
    public static bool AsText(string type) => type.EndsWith(']') || type == "box";

    /// <summary>The value of column <paramref name="i"/> (0-based) from the row source <c>v</c>.</summary>
    private static string Value(Shape shape, int i, bool arrays) =>
        arrays && AsText(shape.Types[i]) ? $"v.c{i + 1}::{shape.Types[i]}" : $"v.c{i + 1}";

    /// <summary>The source chose the identity values; the target takes them as they are.</summary>
    public static string Overriding(Table table) => table.HasAlwaysIdentity ? " OVERRIDING SYSTEM VALUE" : "";

    /// <summary>Rows of placeholders, each cast to its column's type when <paramref name="typed"/>.</summary>
    private static string Values(Shape shape, int rows, bool typed)
    {
        var text = new StringBuilder();
        var n = 0;
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < shape.Columns.Count; c++)
            {
                if (c > 0) text.Append(", ");
                text.Append('$').Append(++n);
                if (typed) text.Append("::").Append(shape.Types[c]);
            }
            text.Append(')');
        }
        return text.ToString();
    }

    private static string ValueNames(Shape shape) => string.Join(", ", Enumerable.Range(1, shape.Columns.Count).Select(i => $"c{i}"));

    private static string Join(Shape shape, bool arrays) =>
        string.Join(" AND ", shape.WhereColumns.Select((c, i) => $"t.{Sql.Ident(c)} = {Value(shape, shape.Set + i, arrays)}"));
}
