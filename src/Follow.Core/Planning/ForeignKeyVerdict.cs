namespace Follow.Planning;

/// <summary>
/// What becomes of one foreign key on Citus: created as <see cref="Planned"/> (with a <see cref="Warning"/> when it
/// differs from the source's in what it does), or refused with <see cref="Problem"/> and <see cref="Fix"/>.
/// </summary>
public sealed record ForeignKeyVerdict(PlannedForeignKey? Planned, string? Warning, string? Problem, string? Fix)
{
    public bool IsRefused => Problem is not null;

    public static ForeignKeyVerdict Create(PlannedForeignKey planned, string? warning = null) => new(planned, warning, null, null);

    public static ForeignKeyVerdict Refuse(string problem, string fix) => new(null, null, problem, fix);
}
