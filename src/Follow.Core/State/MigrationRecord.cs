using Follow.Connections;
using Follow.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Follow.State;

/// <summary>How far a migration got, in order.</summary>
public enum RecordedPhase
{
    /// <summary>A clone started and has not finished: it may be run again and resumes.</summary>
    Copying,

    /// <summary>The clone finished; the stream has not started.</summary>
    Copied,

    /// <summary>The stream started: the target holds changes made after the copy.</summary>
    Streaming,

    /// <summary>The stream reached endpos: the target is the application's.</summary>
    Done,
}

/// <summary>What a clone was told and what it planned: the rules' text, the filter options as given, the plan.</summary>
/// <param name="Rules">The rules' text; null when none were given.</param>
/// <param name="RulesOrigin">Where they were read: a file name or the configuration.</param>
/// <param name="Filters">The filter options as given, option and value in turn.</param>
/// <param name="Plan">One line per moved table (<see cref="Planning.PlanFingerprint"/>).</param>
public sealed record PlanRecord(string? Rules, string? RulesOrigin, IReadOnlyList<string> Filters, string Plan, string Fingerprint);

/// <summary>
/// The clone's record in the target's <c>follow.migration</c>: its plan, slot and the phase reached. On a follow schema
/// older than that table the phase is told from the runs and the sentinel, and the plan is unknown (null).
/// </summary>
public sealed record MigrationRecord(PlanRecord? Plan, string? SlotName, RecordedPhase Phase)
{
    public static string Key(RecordedPhase phase) => phase.ToString().ToLowerInvariant();

    /// <summary>The record, without creating Follow's state: null on a target where no clone started.</summary>
    public static async Task<MigrationRecord?> ReadAsync(ConnectionInfo target, CancellationToken cancellationToken)
    {
        await using var connection = await target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken);
        return await ReadAsync(connection, cancellationToken);
    }

    public static async Task<MigrationRecord?> ReadAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        bool recorded, older;
        await using (var command = StateSql.Command("migration-exists", target))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (recorded, older) = (reader.GetBoolean(0), reader.GetBoolean(1));
        }
        if (recorded)
        {
            await using var command = StateSql.Command("migration-read", target);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var plan = new PlanRecord(Text(reader, 0), Text(reader, 1), reader.GetFieldValue<string[]>(2), reader.GetString(3), reader.GetString(4));
                return new MigrationRecord(plan, reader.GetString(5), Enum.Parse<RecordedPhase>(reader.GetString(7), ignoreCase: true));
            }
        }
        return older ? await DeriveAsync(target, cancellationToken) : null;
    }

    private static async Task<MigrationRecord?> DeriveAsync(NpgsqlConnection target, CancellationToken cancellationToken)
    {
        await using var command = StateSql.Command("migration-derived", target);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0)) return null;
        var phase = Flag(reader, 3) ? RecordedPhase.Done
            : !Flag(reader, 1) ? RecordedPhase.Copying
            : Flag(reader, 2) ? RecordedPhase.Streaming
            : RecordedPhase.Copied;
        return new MigrationRecord(null, reader.GetString(0), phase);
    }

    private static bool Flag(NpgsqlDataReader reader, int ordinal) => !reader.IsDBNull(ordinal) && reader.GetBoolean(ordinal);

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A clone starts: its plan and slot, phase copying. The follow schema exists.</summary>
    public static Task RecordAsync(NpgsqlConnection target, PlanRecord plan, string slotName, string publication, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("migration-record", target, cancellationToken,
            new NpgsqlParameter { Value = (object?)plan.Rules ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            new NpgsqlParameter { Value = (object?)plan.RulesOrigin ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            new NpgsqlParameter { Value = plan.Filters.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            StateSql.Value(plan.Plan), StateSql.Value(plan.Fingerprint), StateSql.Value(slotName), StateSql.Value(publication));

    /// <summary>The phase reached; nothing on a follow schema without the record (made by an older Follow).</summary>
    public static Task SetPhaseAsync(NpgsqlConnection target, RecordedPhase phase, CancellationToken cancellationToken) =>
        StateSql.ExecuteAsync("migration-phase", target, cancellationToken, StateSql.Value(Key(phase)));
}
