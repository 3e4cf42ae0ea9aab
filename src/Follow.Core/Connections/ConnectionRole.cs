namespace Follow.Connections;

/// <summary>Which database a setting is for, with the names the operator uses to give it.</summary>
/// <param name="Name">"source" or "target", as messages say it.</param>
/// <param name="Option">The command-line option, e.g. "--source".</param>
/// <param name="EnvironmentVariable">e.g. "FOLLOW_SOURCE_PGURI".</param>
/// <param name="LoadFileClause">The pgloader .load clause, "from" or "into".</param>
public sealed record ConnectionRole(string Name, string Option, string EnvironmentVariable, string LoadFileClause)
{
    public static ConnectionRole Source { get; } = new("source", "--source", "FOLLOW_SOURCE_PGURI", "from");
    public static ConnectionRole Target { get; } = new("target", "--target", "FOLLOW_TARGET_PGURI", "into");
}
