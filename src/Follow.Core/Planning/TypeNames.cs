namespace Follow.Planning;

/// <summary>
/// Compares type names as written in cast rules with those <c>format_type</c> prints, so that <c>int8</c> and
/// <c>bigint</c> are one type and <c>int</c> and <c>bigint</c> are not.
/// </summary>
public static class TypeNames
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["int8"] = "bigint",
        ["int4"] = "integer",
        ["int"] = "integer",
        ["int2"] = "smallint",
        ["serial8"] = "bigint",
        ["bigserial"] = "bigint",
        ["serial"] = "integer",
        ["serial4"] = "integer",
        ["float8"] = "double precision",
        ["float4"] = "real",
        ["bool"] = "boolean",
        ["varchar"] = "character varying",
        ["char"] = "character",
        ["bpchar"] = "character",
        ["decimal"] = "numeric",
        ["timestamptz"] = "timestamp with time zone",
        ["timestamp"] = "timestamp without time zone",
        ["timetz"] = "time with time zone",
        ["time"] = "time without time zone",
        ["pg_catalog.uuid"] = "uuid",
    };

    public static string Canonical(string type)
    {
        var text = string.Join(' ', type.Trim().ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var paren = text.IndexOf('(');
        var (name, modifier) = paren < 0 ? (text, "") : (text[..paren].TrimEnd(), text[paren..].Replace(" ", ""));
        return Aliases.GetValueOrDefault(name, name) + modifier;
    }

    public static bool Same(string a, string b) => Canonical(a) == Canonical(b);
}
