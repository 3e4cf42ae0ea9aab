using Follow.Diagnostics;
using Npgsql;

namespace Follow.Progress;

/// <summary>Reads the newest copy run and its jobs from the target's follow schema.</summary>
public static class ProgressReader
{
    /// <summary>The copy, and the stream's sentinel; with a source connection, also the slot's lag.</summary>
    public static async Task<ProgressReport> ReadAsync(NpgsqlConnection connection, NpgsqlConnection? source, CancellationToken cancellationToken)
    {
        var report = await ReadAsync(connection, cancellationToken);
        if (!report.HasState) return report;
        var compare = await State.CompareRecord.TryReadAsync(connection, cancellationToken);
        var sentinel = await State.SentinelState.TryReadAsync(connection, cancellationToken);
        var slot = source is not null && report.Run is { } run
            ? await Pipeline.SlotLagReader.ReadAsync(source, run.SlotName, cancellationToken)
            : null;
        var recorded = await State.MigrationRecord.ReadAsync(connection, cancellationToken);
        return report with { Stream = new StreamProgress(sentinel, slot), Recorded = recorded, Compare = compare };
    }

    public static async Task<ProgressReport> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // A target where no copy ever started has no follow schema, or (after clone --schema-only) no run table yet.
        if (!(bool)(await State.StateSql.ScalarAsync("state-exists", connection, cancellationToken))!) return ProgressReport.NoState;

        RunInfo? run = null;
        long runs = 0;
        await using (var command = State.StateSql.Command("latest-run", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                run = new RunInfo(
                    reader.GetInt64(0),
                    reader.GetFieldValue<DateTimeOffset>(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5));
                runs = reader.GetInt64(6);
            }
        }
        if (run is null) return new ProgressReport(true, 0, null, []);

        var jobs = new List<JobProgress>();
        await using (var command = State.StateSql.Command("jobs", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = run.RunId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                jobs.Add(new JobProgress(
                    Table: reader.GetString(1),
                    State: JobStates.Parse(reader.GetString(4)),
                    Rows: reader.GetInt64(6),
                    EstimatedRows: reader.GetInt64(5),
                    Bytes: reader.GetInt64(7),
                    Elapsed: TimeSpan.FromSeconds(reader.GetDouble(9)),
                    Part: reader.GetInt32(2),
                    Parts: reader.GetInt32(3),
                    StartedAt: reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    SinceStart: reader.IsDBNull(10) ? null : TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(10))),
                    Error: reader.IsDBNull(11) ? null : reader.GetString(11),
                    KeptFrom: reader.IsDBNull(12) ? null : reader.GetInt64(12)));
            }
        }
        return new ProgressReport(true, runs, run, jobs);
    }
}
