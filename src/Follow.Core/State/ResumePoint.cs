using Npgsql;

namespace Follow.State;

/// <summary>Where a migration takes up again, read from the target's follow schema.</summary>
public enum ResumePoint
{
    /// <summary>No copy finished (none started, or the latest was interrupted): clone from a new snapshot.</summary>
    Clone,

    /// <summary>The latest copy finished: stream from the slot, after what the target already applied.</summary>
    Stream,

    /// <summary>The stream reached endpos and set the sequences: the migration is complete.</summary>
    Done,
}

public static class ResumePoints
{
    public static async Task<ResumePoint> ReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        if (!(bool)(await StateSql.ScalarAsync("resume-point-exists", target, cancellationToken))!) return ResumePoint.Clone;
        await using var command = StateSql.Command("resume-point", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var copied = !reader.IsDBNull(0) && reader.GetBoolean(0);
        var done = !reader.IsDBNull(1) && reader.GetBoolean(1);
        return !copied ? ResumePoint.Clone : done ? ResumePoint.Done : ResumePoint.Stream;
    }
}
