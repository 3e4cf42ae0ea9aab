using Npgsql;

namespace Follow.Pipeline;

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
        await using (var exists = new NpgsqlCommand(
            "SELECT to_regclass('follow.run') IS NOT NULL AND to_regclass('follow.sentinel') IS NOT NULL", target))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!) return ResumePoint.Clone;
        }
        // Only the latest run counts: a newer copy that was interrupted left its tables half filled.
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT finished_at IS NOT NULL FROM follow.run ORDER BY run_id DESC LIMIT 1),
                   (SELECT done_at IS NOT NULL FROM follow.sentinel)
            """, target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var copied = !reader.IsDBNull(0) && reader.GetBoolean(0);
        var done = !reader.IsDBNull(1) && reader.GetBoolean(1);
        return !copied ? ResumePoint.Clone : done ? ResumePoint.Done : ResumePoint.Stream;
    }
}
