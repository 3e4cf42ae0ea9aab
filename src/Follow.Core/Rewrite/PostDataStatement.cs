using Follow.Model;

namespace Follow.Rewrite;

public enum PostDataKind { Key, Index, Check, ForeignKey }

/// <summary>
/// One statement of the post-data phase for a moved table. <see cref="Name"/> is the constraint or index it
/// creates, so that a rerun can skip what already exists.
/// </summary>
public sealed record PostDataStatement(QualifiedName Table, PostDataKind Kind, string Name, string Sql)
{
    /// <summary>Indexes are schema objects; constraints belong to their table.</summary>
    public bool CreatesIndexOnly => Kind == PostDataKind.Index;
}
