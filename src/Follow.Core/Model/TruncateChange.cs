namespace Follow.Model;

public sealed record TruncateChange(IReadOnlyList<Relation> Relations, bool Cascade, bool RestartIdentity) : ChangeRecord;
