namespace Follow.Model;

/// <summary>A schema-qualified object name, kept exactly as PostgreSQL stores it.</summary>
public sealed record QualifiedName(string Schema, string Name) : IComparable<QualifiedName>
{
    /// <summary>Both parts quoted, for SQL text.</summary>
    public string Quoted => $"{Sql.Ident(Schema)}.{Sql.Ident(Name)}";

    /// <summary>For people: quoted only where PostgreSQL would need it, so it is unambiguous.</summary>
    public override string ToString() => $"{Sql.IdentIfNeeded(Schema)}.{Sql.IdentIfNeeded(Name)}";

    public int CompareTo(QualifiedName? other)
    {
        if (other is null) return 1;
        var bySchema = string.CompareOrdinal(Schema, other.Schema);
        return bySchema != 0 ? bySchema : string.CompareOrdinal(Name, other.Name);
    }
}
