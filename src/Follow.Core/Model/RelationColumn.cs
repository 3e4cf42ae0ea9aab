namespace Follow.Model;

public sealed record RelationColumn(string Name, uint TypeOid, bool IsKey);
