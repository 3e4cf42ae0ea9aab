namespace Follow.Model;

public sealed record CheckConstraint(string Name, string Definition);
