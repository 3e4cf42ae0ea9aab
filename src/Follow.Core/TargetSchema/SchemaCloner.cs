using Follow.Connections;
using Follow.Diagnostics;
using Follow.Model;
using Follow.Planning;
using Follow.Rewrite;
using Follow.State;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Follow.TargetSchema;

public sealed record SchemaCloneOptions(bool DropIfExists = false, int IndexJobs = 2, int? ShardCount = null);

/// <summary>
/// Builds the target schema from the plan, in steps that each commit whole and record themselves in
/// <c>follow.clone_step</c>, so a run that fails midway is resumed by running it again:
/// non-table objects that tables need (pg_dump's list), Follow's CREATE TABLEs, the objects that need the
/// tables, the distribution calls; later, after the data, the keys and indexes and pg_dump's post-data.
/// </summary>
public sealed partial class SchemaCloner(
    DistributionPlan plan,
    Catalog catalog,
    ConnectionInfo source,
    ConnectionInfo target,
    PgTools tools,
    SchemaCloneOptions options,
    ILogger logger)
{
    public const string StepBeforeTables = "pre-data: objects before tables";
    public const string StepTables = "pre-data: tables";
    public const string StepAfterTables = "pre-data: objects after tables";
    public const string StepDistribution = "distribution";
    public const string StepPostDataKeys = "post-data: keys and indexes";
    public const string StepPostData = "post-data: other objects";

    private readonly SchemaScript _script = SchemaScript.From(plan, catalog);
    private readonly ShardStatistics _shardStatistics = new();

    /// <summary>
    /// On Citus, the post-data sessions keep their connections to the workers between statements: each statement on
    /// a distributed table opens up to citus.max_adaptive_executor_pool_size of them a worker, of which Citus keeps
    /// one by default, so every statement opened the others again (the benchmark's keys, indexes and foreign keys in
    /// one session: 2.5 s instead of 3.8 s, medians of 5).
    /// </summary>
    private string? _postDataOptions;
    private RestoreLists? _lists;
    private string? _workDirectory;
    private string? _dumpFile;

    public SchemaScript Script => _script;

    /// <summary>Whether <see cref="CreateAsync"/> created the moved tables, empty, rather than found them from an earlier run.</summary>
    public bool TablesCreated { get; private set; }

    /// <summary>Whether the target has the citus extension; known after <see cref="CheckAsync"/>.</summary>
    public bool TargetIsCitus { get; private set; }

    /// <summary>Checks everything that can be refused. Changes nothing.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await tools.CheckCanDumpAsync(catalog.ServerVersionNum, cancellationToken);
        await using var connection = await OpenTargetAsync(cancellationToken);
        TargetIsCitus = await connection.HasCitusAsync(cancellationToken);
        if (!TargetIsCitus) Log.PlainTarget(logger, target.Redacted);
        else
        {
            var pool = int.Parse(await ScalarAsync<string>(connection, "SELECT current_setting('citus.max_adaptive_executor_pool_size')", cancellationToken),
                System.Globalization.CultureInfo.InvariantCulture);
            _postDataOptions = $"-c citus.max_cached_conns_per_worker={pool}";
        }
        await RefuseNonEmptyTablesAsync(connection, cancellationToken);
    }

    /// <summary>Dumps the source schema, from the copy's snapshot when there is one, and splits pg_dump's list.</summary>
    public async Task DumpAsync(string? snapshot, CancellationToken cancellationToken)
    {
        _workDirectory = Directory.CreateTempSubdirectory("follow-schema-").FullName;
        _dumpFile = Path.Combine(_workDirectory, "schema.dump");
        List<string> arguments = ["--schema-only", "--format=custom", "--file", _dumpFile];
        if (snapshot is not null) arguments.Add($"--snapshot={snapshot}");
        var dump = await tools.RunAsync("pg_dump", arguments, source, cancellationToken);
        if (dump.ExitCode != 0) throw new FollowException($"pg_dump of the source {source.Redacted} failed: {dump.Error.Trim()}", ExitCode.SourceFailure);

        var preData = await ListAsync("pre-data", cancellationToken);
        var postData = await ListAsync("post-data", cancellationToken);
        var moved = _script.Tables.ToList();
        var excluded = plan.Excluded.SelectMany(t => catalog.PartitionsOf(t).Select(p => p.Name).Prepend(t)).ToList();
        var (generated, identities, excludedObjects) = await SourceObjectsAsync(moved, excluded, cancellationToken);
        var excludedSequences = catalog.Sequences.Where(s => s.OwnedBy is { } o && excluded.Contains(o.Table)).Select(s => s.Name).ToList();
        await using var connection = await OpenTargetAsync(cancellationToken);
        var schemas = await ListNamesAsync(connection, "SELECT nspname FROM pg_namespace", cancellationToken);
        var extensions = await ListNamesAsync(connection, "SELECT extname FROM pg_extension", cancellationToken);
        _lists = RestoreLists.Split(preData, postData, generated, identities, excludedObjects, excluded, excludedSequences, schemas, extensions);
    }

    /// <summary>Pre-data and distribution: everything before the data copy.</summary>
    public async Task CreateAsync(CancellationToken cancellationToken)
    {
        var lists = _lists ?? throw new InvalidOperationException("DumpAsync first");
        await using (var connection = await OpenTargetAsync(cancellationToken))
        {
            await TargetState.EnsureAsync(connection, cancellationToken);
            if (options.DropIfExists)
            {
                // Tables first: pg_restore --clean then drops the objects they used (sequences, types).
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await DropExistingTablesAsync(connection, transaction, cancellationToken);
                await TargetState.ResetAsync(connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }

        await RestoreStepAsync(StepBeforeTables, lists.BeforeTables, cancellationToken);
        await CreateTablesAsync(cancellationToken);
        await RestoreStepAsync(StepAfterTables, lists.AfterTables, cancellationToken);
        if (TargetIsCitus) await DistributeAsync(cancellationToken);
    }

    /// <summary>Keys, indexes, checks, foreign keys, then pg_dump's post-data (triggers, rules, policies…).</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        var lists = _lists ?? throw new InvalidOperationException("DumpAsync first");
        await CreateKeysAndIndexesAsync(cancellationToken);
        var triggers = lists.PostData.Any(e => e.Is("TRIGGER"));
        if (TargetIsCitus && triggers) Log.TriggersOnCitus(logger);
        // Citus creates triggers on distributed tables only when told that their functions are safe to run on shards.
        await RestoreStepAsync(StepPostData, lists.PostData, cancellationToken,
            TargetIsCitus && triggers ? "SET LOCAL citus.enable_unsafe_triggers TO on;\n" : "");
    }

    public void Cleanup()
    {
        if (_workDirectory is not null && Directory.Exists(_workDirectory)) Directory.Delete(_workDirectory, recursive: true);
    }

    private Task<NpgsqlConnection> OpenTargetAsync(CancellationToken cancellationToken) =>
        target.OpenAsync("follow", ExitCode.TargetFailure, cancellationToken, errorDetail: true);

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<List<string>> ListNamesAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>
    /// A table that exists on the target before Follow created it would be overwritten: refuse when it holds rows,
    /// unless --drop-if-exists says to drop it.
    /// </summary>
    private async Task RefuseNonEmptyTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (options.DropIfExists) return;
        var stateExists = await TargetState.ExistsAsync(connection, cancellationToken);
        if (stateExists && await TargetState.IsDoneAsync(connection, StepTables, cancellationToken)) return;

        var nonEmpty = new List<QualifiedName>();
        foreach (var table in await ExistingTablesAsync(connection, cancellationToken))
        {
            if (await ScalarAsync<bool>(connection, $"SELECT EXISTS (SELECT 1 FROM {table.Quoted})", cancellationToken)) nonEmpty.Add(table);
        }
        if (nonEmpty.Count > 0)
        {
            throw new BadInputException(
                $"the target {target.Redacted} already has rows in {string.Join(", ", nonEmpty)}; nothing was changed. "
                + "Give --drop-if-exists to drop and recreate those tables, or use an empty target database");
        }
    }

    private async Task<List<QualifiedName>> ExistingTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var names = _script.Tables.ToList();
        const string sql = """
            SELECT n.nspname, c.relname
              FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
              JOIN pg_namespace n ON n.nspname = wanted.schema_name
              JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.table_name AND c.relkind IN ('r', 'p')
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = names.Select(n => n.Schema).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = names.Select(n => n.Name).ToArray() });
        var existing = new List<QualifiedName>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) existing.Add(new QualifiedName(reader.GetString(0), reader.GetString(1)));
        return existing;
    }

    private async Task<List<TocEntry>> ListAsync(string section, CancellationToken cancellationToken)
    {
        var list = await tools.RunAsync("pg_restore", ["--list", $"--section={section}", _dumpFile!], null, cancellationToken);
        if (list.ExitCode != 0) throw new FollowException($"pg_restore --list failed: {list.Error.Trim()}", ExitCode.Internal);
        return [.. list.Output.Split('\n').Select(TocEntry.Parse).OfType<TocEntry>()];
    }

    private async Task<(RestoreLists.ObjectSet Generated, RestoreLists.ObjectSet Identities, RestoreLists.ObjectSet Excluded)> SourceObjectsAsync(
        List<QualifiedName> moved, List<QualifiedName> excluded, CancellationToken cancellationToken)
    {
        var generated = new HashSet<(uint, uint)>();
        var identities = new HashSet<(uint, uint)>();
        var excludedObjects = new HashSet<(uint, uint)>();
        try
        {
            await using var connection = new NpgsqlConnection(source.WithApplicationName("follow").ToNpgsqlConnectionString());
            await connection.OpenAsync(cancellationToken);
            var movedOids = await OidsAsync(connection, moved, cancellationToken);
            var excludedOids = await OidsAsync(connection, excluded, cancellationToken);
            await ReadObjectsAsync(connection, "generated-objects.sql", movedOids, (catalogOid, oid, kind) =>
            {
                generated.Add((catalogOid, oid));
                if (kind == "identity") identities.Add((catalogOid, oid));
            }, cancellationToken);
            await ReadObjectsAsync(connection, "generated-objects.sql", excludedOids, (c, o, _) => excludedObjects.Add((c, o)), cancellationToken);
            await ReadObjectsAsync(connection, "excluded-objects.sql", excludedOids, (c, o, _) => excludedObjects.Add((c, o)), cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            throw new FollowException($"cannot read the source database {source.Redacted}: {ex.Message}", ExitCode.SourceFailure, ex);
        }
        return (new(generated), new(identities), new(excludedObjects));
    }

    private static async Task<uint[]> OidsAsync(NpgsqlConnection connection, List<QualifiedName> tables, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT c.oid
              FROM unnest($1::text[], $2::text[]) AS wanted(schema_name, table_name)
              JOIN pg_namespace n ON n.nspname = wanted.schema_name
              JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = wanted.table_name
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(n => n.Schema).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(n => n.Name).ToArray() });
        var oids = new List<uint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) oids.Add(reader.GetFieldValue<uint>(0));
        return [.. oids];
    }

    private static async Task ReadObjectsAsync(
        NpgsqlConnection connection, string resource, uint[] tableOids, Action<uint, uint, string?> add, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SqlResource.Load($"TargetSchema.Sql.{resource}"), connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tableOids, DataTypeName = "oid[]" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            add(reader.GetFieldValue<uint>(0), reader.GetFieldValue<uint>(1), reader.FieldCount > 2 ? reader.GetString(2) : null);
        }
    }
}
