namespace Follow.Model;

/// <summary>The one place identifiers are quoted. Values are never spliced into SQL: they are bound as parameters.</summary>
public static class Sql
{
    public static string Ident(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "\"" + identifier.Replace("\"", "\"\"") + "\"";
    }

    public static string Idents(IEnumerable<string> identifiers) => string.Join(", ", identifiers.Select(Ident));

    /// <summary>
    /// As quote_literal, for the few places a statement cannot take a parameter (SET, DDL options), with values
    /// read from a catalog: the E'' form when there is a backslash, so it reads the same whatever
    /// standard_conforming_strings says.
    /// </summary>
    public static string Literal(string value)
    {
        var quoted = value.Replace("'", "''");
        return value.Contains('\\') ? "E'" + quoted.Replace("\\", "\\\\") + "'" : "'" + quoted + "'";
    }

    /// <summary>
    /// An array in PostgreSQL's text form, bound as one parameter (never spliced): every element quoted, with
    /// backslashes and quotes escaped, NULL unquoted; the server reads it as the array type of its context.
    /// </summary>
    public static string ArrayLiteral(IEnumerable<string?> values)
    {
        var text = new System.Text.StringBuilder("{");
        var first = true;
        foreach (var value in values)
        {
            if (!first) text.Append(',');
            first = false;
            AppendArrayElement(text, value);
        }
        return text.Append('}').ToString();
    }

    public static void AppendArrayElement(System.Text.StringBuilder text, string? value)
    {
        if (value is null)
        {
            text.Append("NULL");
            return;
        }
        text.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') text.Append('\\');
            text.Append(c);
        }
        text.Append('"');
    }

    /// <summary>Quotes like PostgreSQL's quote_ident: only when the name is not a plain lower-case, non-reserved word.</summary>
    public static string IdentIfNeeded(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return NeedsQuotes(identifier) ? Ident(identifier) : identifier;
    }

    private static bool NeedsQuotes(string identifier)
    {
        if (identifier.Length == 0) return true;
        var first = identifier[0];
        if (!(first is >= 'a' and <= 'z' || first == '_')) return true;
        foreach (var c in identifier)
        {
            if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '_' || c == '$')) return true;
        }
        return ReservedWords.Contains(identifier);
    }

    // PostgreSQL's reserved key words (those that cannot be column or table names unquoted).
    private static readonly HashSet<string> ReservedWords = new(StringComparer.Ordinal)
    {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary",
        "both", "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create",
        "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
        "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
        "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike",
        "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left",
        "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only",
        "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
        "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then", "to",
        "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when", "where", "window",
        "with",
    };
}
