using Follow.Connections;
using Follow.Planning;
using Microsoft.Extensions.Logging;

namespace Follow.Snapshot;

/// <summary>
/// The key maps of one copy run, loaded from the snapshot when a job first needs one and shared by the tables
/// whose paths start at the same parent, within one memory limit for all the maps held at once. A table whose map
/// does not fit, or cannot be had, is copied through the joins instead.
/// </summary>
internal sealed partial class BackfillKeyMaps(
    DistributionPlan plan, ConnectionInfo source, string snapshot, string workMem, long limit, ILogger logger) : IAsyncDisposable
{
    private sealed class Entry
    {
        public int Users;
        public Task<BackfillKeyMap?>? Load;
        public long Reserved;
    }

    private readonly Dictionary<string, Entry> _maps = [];
    private long _reserved;
    private CancellationTokenSource? _preloadStop;
    private Task _preload = Task.CompletedTask;

    /// <summary>
    /// Loads the maps in the background, those of the largest tables first and one at a time (each gives back the
    /// memory it did not use before the next is sized), while the schema is being made: the copy then starts with
    /// them.
    /// </summary>
    public void Preload(IEnumerable<TablePlan> copied, CancellationToken cancellationToken)
    {
        if (limit <= 0) return;
        _preloadStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _preloadStop.Token;
        var tables = copied.Where(t => CopyQuery.CanUseKeyMap(t, plan)).OrderByDescending(t => t.Source.SizeBytes).ToList();
        _preload = Task.Run(async () =>
        {
            foreach (var table in tables) await StartAsync(table, token);
        }, token);
    }

    /// <summary>Counts the jobs that may use each map, so that a map is let go after its last one.</summary>
    public void Expect(IEnumerable<CopyJob> jobs)
    {
        if (limit <= 0) return;
        lock (_maps)
        {
            foreach (var job in jobs.Where(j => CopyQuery.CanUseKeyMap(j.Table, plan))) Get(CopyQuery.CopyOutKeyMap(job.Table)).Users++;
        }
    }

    /// <summary>The job's map, or null: copy through the joins.</summary>
    public Task<BackfillKeyMap?> AcquireAsync(CopyJob job, CancellationToken cancellationToken) =>
        limit <= 0 || !CopyQuery.CanUseKeyMap(job.Table, plan) ? Task.FromResult<BackfillKeyMap?>(null) : StartAsync(job.Table, cancellationToken);

    private Task<BackfillKeyMap?> StartAsync(TablePlan table, CancellationToken cancellationToken)
    {
        var sql = CopyQuery.CopyOutKeyMap(table);
        lock (_maps)
        {
            var entry = Get(sql);
            if (entry.Load is not null) return entry.Load;
            var parent = plan.Get(table.Backfill!.Hops[0].Parent);
            var rows = (long)Math.Max(0, parent.Source.RowEstimate);
            var estimate = rows * BackfillKeyMap.EntryBytes;
            var available = limit - _reserved;
            if (estimate > available)
            {
                Log.MapTooLarge(logger, table.Name.ToString(), parent.Name.ToString(), rows, estimate >> 20, limit >> 20);
                return entry.Load = Task.FromResult<BackfillKeyMap?>(null);
            }
            // Room for an estimate that is off by half, or half of what is left when there is none.
            entry.Reserved = rows > 0 ? Math.Min(available, estimate * 2) : available / 2;
            _reserved += entry.Reserved;
            entry.Load = Task.Run(() => LoadAsync(table, parent, sql, entry, cancellationToken), cancellationToken);
            return entry.Load;
        }
    }

    private Entry Get(string sql)
    {
        if (!_maps.TryGetValue(sql, out var entry)) _maps[sql] = entry = new Entry();
        return entry;
    }

    /// <summary>Stops the preloading and waits for the loads under way; their errors were the copy's to report.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_preloadStop is not null) await _preloadStop.CancelAsync();
        Task[] loads;
        lock (_maps) loads = [_preload, .. _maps.Values.Select(e => e.Load).OfType<Task>()];
        await Task.WhenAll(loads).ContinueWith(_ => { }, CancellationToken.None);
        _preloadStop?.Dispose();
    }

    /// <summary>The job is done with its map; the last one lets it go.</summary>
    public void Release(CopyJob job)
    {
        if (limit <= 0 || !CopyQuery.CanUseKeyMap(job.Table, plan)) return;
        lock (_maps)
        {
            var entry = _maps[CopyQuery.CopyOutKeyMap(job.Table)];
            if (--entry.Users > 0) return;
            _reserved -= entry.Reserved;
            entry.Reserved = 0;
            entry.Load = Task.FromResult<BackfillKeyMap?>(null);
        }
    }

    private async Task<BackfillKeyMap?> LoadAsync(TablePlan table, TablePlan parent, string sql, Entry entry, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        BackfillKeyMap? map;
        await using (var connection = await TableCopier.OpenInSnapshotAsync(source, snapshot, workMem, cancellationToken))
        {
            await using var copy = await connection.BeginRawBinaryCopyAsync(sql, cancellationToken);
            map = BackfillKeyMap.Load(copy, BackfillKeyMap.FixedWidth(table.DistributionColumnType), entry.Reserved, cancellationToken);
            // Given up midway: the rest of the stream is not wanted.
            if (map is null) await copy.CancelAsync();
        }
        lock (_maps)
        {
            // What the map does not use goes back to the others.
            var used = map?.Bytes ?? 0;
            _reserved -= entry.Reserved - used;
            entry.Reserved = used;
        }
        if (map is null) Log.MapGaveUp(logger, table.Name.ToString(), parent.Name.ToString(), limit >> 20);
        else Log.MapLoaded(logger, parent.Name.ToString(), map.Count, map.Bytes >> 20, clock.Elapsed.TotalSeconds);
        return map;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "loaded the keys of {Parent} for the backfill: {Keys} keys, {MB} MB in {Seconds:F1} s")]
        public static partial void MapLoaded(ILogger logger, string parent, int keys, long mb, double seconds);

        [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "{Table}: the keys of {Parent} (~{Rows} rows, ~{MB} MB) exceed the backfill memory ({Limit} MB): copied through joins")]
        public static partial void MapTooLarge(ILogger logger, string table, string parent, long rows, long mb, long limit);

        [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "{Table}: the keys of {Parent} exceed the backfill memory ({Limit} MB): copied through joins")]
        public static partial void MapGaveUp(ILogger logger, string table, string parent, long limit);
    }
}
