namespace Follow.Model;

/// <summary>A published table as the stream describes it: its columns in order, and which form the replica identity.</summary>
public sealed record Relation(uint Id, QualifiedName Name, IReadOnlyList<RelationColumn> Columns)
{
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Name == column) return i;
        }
        return -1;
    }
}
