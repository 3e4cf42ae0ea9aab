using Follow.Connections;
using Follow.Decode;
using Follow.Diagnostics;
using Follow.Model;
using Follow.State;
using Follow.Rewrite;
using Microsoft.Extensions.Logging;

namespace Follow.Pipeline;

/// <summary>
/// Every right the chosen phases need, on both sides, tried before anything changes on either (Follow's own schema
/// included): the missing ones are refused together, each with its grant. Where an optional right of the target is
/// missing (a replication origin, session_replication_role), Follow takes another path and says which.
/// </summary>
public static partial class Preflight
{
    public static async Task RunAsync(PlannedMigration planned, MigrationScope phases, string slotName, ILogger logger, CancellationToken cancellationToken)
    {
        var cloning = phases is MigrationScope.SchemaOnly or MigrationScope.Clone or MigrationScope.CloneAndFollow;
        var copying = phases is MigrationScope.Clone or MigrationScope.CloneAndFollow;
        var streaming = phases is MigrationScope.CloneAndFollow or MigrationScope.Follow;
        var problems = new List<string>();
        var unboundedWal = false;
        if (copying || streaming)
        {
            var check = await ReplicationPreflight.CheckAsync(planned.Source, Needs(planned, slotName, copying), cancellationToken);
            problems.AddRange(check.Problems);
            unboundedWal = check.UnboundedWal;
        }

        TargetRights rights;
        bool citus;
        await using (var target = await planned.Target.OpenAsync("follow preflight", ExitCode.TargetFailure, cancellationToken))
        {
            rights = await TargetRights.ReadAsync(target, cancellationToken);
            citus = await target.HasCitusAsync(cancellationToken);
        }
        if (cloning && !rights.CanCreate)
        {
            problems.Add($"the target role {rights.User} may not create Follow's schema and the moved tables in the database {rights.Database}; "
                + $"run GRANT CREATE ON DATABASE {Sql.IdentIfNeeded(rights.Database)} TO {Sql.IdentIfNeeded(rights.User)}");
        }
        if (problems.Count > 0)
        {
            throw new BadInputException("refused before any change; nothing was changed on the source or the target:\n  - " + string.Join("\n  - ", problems));
        }
        if (unboundedWal) Log.UnboundedWal(logger, planned.Source.Redacted);
        if (!streaming) return;
        if (rights.OriginFunctions is null) Log.NoOrigin(logger, rights.User);
        else if (rights.OriginFunctions != "pg_catalog") Log.WrappedOrigin(logger, rights.OriginFunctions);
        if (!citus && !rights.MaySkipTriggers) Log.ForeignKeysChecked(logger, rights.User, Sql.IdentIfNeeded(rights.User));
    }

    /// <summary>What the source must allow: a clone names, owns and reads the moved tables; a stream reads its slot.</summary>
    private static SourceNeeds Needs(PlannedMigration planned, string slotName, bool copying)
    {
        if (!copying) return new SourceNeeds(slotName, CreatesSlot: false, [], [], []);
        var tables = SchemaScript.From(planned.Plan, planned.Catalog).Tables.ToList();
        var published = tables.Where(t => planned.Catalog.Find(t)?.PartitionOf is null).ToList();
        var sequences = planned.Catalog.Sequences
            .Where(s => s.OwnedBy is not { } owner || planned.Plan.Find(owner.Table) is not null)
            .Select(s => s.Name)
            .ToList();
        return new SourceNeeds(slotName, CreatesSlot: true, published, tables, sequences);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4404, Level = LogLevel.Warning, Message = "the source {Source} keeps the slot's WAL without bound (max_slot_wal_keep_size = -1): while the copy runs, or if the stream falls behind, the WAL piles up on the disk of the source's pg_wal until it is full; watch the retained WAL in follow list progress, or bound it with max_slot_wal_keep_size (the slot is then lost past it, and the migration starts again)")]
        public static partial void UnboundedWal(ILogger logger, string source);

        [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "the target role {User} may not call the replication origin functions (pg_replication_origin_*): the applied position is kept in follow.sentinel alone, written in the same transaction as the changes (exactly once all the same)")]
        public static partial void NoOrigin(ILogger logger, string user);

        [LoggerMessage(EventId = 4402, Level = LogLevel.Information, Message = "the replication origin is kept through the functions of the schema {Schema} (the service's wrappers of pg_replication_origin_*)")]
        public static partial void WrappedOrigin(ILogger logger, string schema);

        [LoggerMessage(EventId = 4403, Level = LogLevel.Warning, Message = "the target role {User} may not set session_replication_role: foreign keys are checked while the stream writes (writes keep every key's order) and the moved tables' triggers are disabled by name until endpos; GRANT SET ON PARAMETER session_replication_role TO {Role} would spare the checks")]
        public static partial void ForeignKeysChecked(ILogger logger, string user, string role);
    }
}
