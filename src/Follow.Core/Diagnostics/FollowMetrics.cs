using System.Diagnostics.Metrics;
using Follow.Model;

namespace Follow.Diagnostics;

/// <summary>
/// The <c>Follow</c> meter: what the copy and the stream did, where the migration is, and how far behind the source
/// the target is. Names follow OpenTelemetry's semantic conventions: the unit is the instrument's, never part of the
/// name. One instance per migration; the gauges read the migration's status when a reader collects them.
/// </summary>
public sealed class FollowMetrics : IDisposable
{
    public const string MeterName = "Follow";

    private const string TableAttribute = "db.collection.name";

    private readonly Counter<long> _copyRows;
    private readonly Counter<long> _copyBytes;
    private readonly Counter<long> _changes;
    private readonly Counter<long> _transactions;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _retries;
    private readonly Histogram<int> _batchTransactions;
    private readonly Histogram<int> _batchChanges;

    public FollowMetrics(FollowStatus status, IMeterFactory? factory = null)
    {
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _copyRows = Meter.CreateCounter<long>("follow.copy.rows", "{row}", "Rows copied from the snapshot, by table.");
        _copyBytes = Meter.CreateCounter<long>("follow.copy.io", "By", "Binary COPY data copied from the snapshot, by table.");
        _changes = Meter.CreateCounter<long>("follow.changes.applied", "{change}", "Row changes and truncates committed on the target.");
        _transactions = Meter.CreateCounter<long>("follow.transactions.applied", "{transaction}", "Source transactions committed on the target.");
        _cacheLookups = Meter.CreateCounter<long>("follow.fk_cache.lookups", "{lookup}",
            "Distribution keys looked up: in the foreign-key cache (result hit) or on the target (result miss).");
        _retries = Meter.CreateCounter<long>("follow.retries", "{retry}", "Steps started again after losing the source or the target, by step.");
        _batchTransactions = Meter.CreateHistogram<int>("follow.apply.batch.transactions", "{transaction}", "Source transactions per target transaction.");
        _batchChanges = Meter.CreateHistogram<int>("follow.apply.batch.changes", "{change}", "Changes per target transaction.");
        // A state set, as k8s.pod.status.phase: 1 for the current phase, 0 for the others.
        Meter.CreateObservableGauge("follow.phase", () => Phases(status.Phase), "{phase}", "The migration's phase: 1 for the current one (attribute follow.phase).");
        Meter.CreateObservableGauge("follow.replication.lag.size", () => Measure(status.Snapshot().LagBytes), "By",
            "Source WAL not yet confirmed by the target (pg_current_wal_lsn - confirmed_flush_lsn).");
        Meter.CreateObservableGauge("follow.replication.lag.time", () => Measure(status.Snapshot().LagSeconds), "s",
            "Age of the oldest source commit not yet applied on the target.");
        Meter.CreateObservableGauge("follow.replication.slot.retained_wal", () => Measure(status.Snapshot().Slot?.RetainedBytes), "By",
            "WAL the slot keeps on the source's disk (pg_current_wal_lsn - restart_lsn).");
    }

    public Meter Meter { get; }

    public void Copied(QualifiedName table, long rows, long bytes)
    {
        var tag = new KeyValuePair<string, object?>(TableAttribute, table.ToString());
        if (rows != 0) _copyRows.Add(rows, tag);
        if (bytes != 0) _copyBytes.Add(bytes, tag);
    }

    /// <summary>A target transaction committed: its source transactions, changes, and the cache look-ups since the last.</summary>
    public void Committed(int transactions, int changes, long cacheHits, long cacheMisses)
    {
        _transactions.Add(transactions);
        _changes.Add(changes);
        if (cacheHits != 0) _cacheLookups.Add(cacheHits, new KeyValuePair<string, object?>("follow.fk_cache.result", "hit"));
        if (cacheMisses != 0) _cacheLookups.Add(cacheMisses, new KeyValuePair<string, object?>("follow.fk_cache.result", "miss"));
        _batchTransactions.Record(transactions);
        _batchChanges.Record(changes);
    }

    /// <summary>A step (stream, finish) lost the source or the target and starts again.</summary>
    public void Retried(string step) => _retries.Add(1, new KeyValuePair<string, object?>("follow.step", step));

    private static IEnumerable<Measurement<int>> Phases(FollowPhase current) =>
        Enum.GetValues<FollowPhase>().Select(phase =>
            new Measurement<int>(phase == current ? 1 : 0, new KeyValuePair<string, object?>("follow.phase", phase.Key())));

    private static IEnumerable<Measurement<T>> Measure<T>(T? value) where T : struct =>
        value is { } v ? [new Measurement<T>(v)] : [];

    public void Dispose() => Meter.Dispose();
}
