using System.Diagnostics.Metrics;
using Follow.Model;

namespace Follow.Diagnostics;

/// <summary>
/// The <c>Follow</c> meter: what the copy and the stream did, and how far behind the source the target is. One
/// instance per migration; the lag gauges read the migration's status when a reader collects them.
/// </summary>
public sealed class FollowMetrics : IDisposable
{
    public const string MeterName = "Follow";

    private readonly Counter<long> _copyRows;
    private readonly Counter<long> _copyBytes;
    private readonly Counter<long> _changes;
    private readonly Counter<long> _transactions;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Histogram<int> _batchTransactions;
    private readonly Histogram<int> _batchChanges;

    public FollowMetrics(FollowStatus status, IMeterFactory? factory = null)
    {
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _copyRows = Meter.CreateCounter<long>("follow.copy.rows", "{row}", "Rows copied from the snapshot, by table.");
        _copyBytes = Meter.CreateCounter<long>("follow.copy.bytes", "By", "Bytes of binary COPY data copied from the snapshot, by table.");
        _changes = Meter.CreateCounter<long>("follow.changes.applied", "{change}", "Row changes and truncates committed on the target.");
        _transactions = Meter.CreateCounter<long>("follow.transactions.applied", "{transaction}", "Source transactions committed on the target.");
        _cacheHits = Meter.CreateCounter<long>("follow.fk_cache.hits", "{lookup}", "Distribution keys found in the foreign-key cache.");
        _cacheMisses = Meter.CreateCounter<long>("follow.fk_cache.misses", "{lookup}", "Distribution keys looked up on the target.");
        _batchTransactions = Meter.CreateHistogram<int>("follow.apply.batch.transactions", "{transaction}", "Source transactions per target transaction.");
        _batchChanges = Meter.CreateHistogram<int>("follow.apply.batch.changes", "{change}", "Changes per target transaction.");
        Meter.CreateObservableGauge("follow.replication.lag.bytes", () => Measure(status.Snapshot().LagBytes), "By",
            "Source WAL not yet confirmed by the target (pg_current_wal_lsn - confirmed_flush_lsn).");
        Meter.CreateObservableGauge("follow.replication.lag.seconds", () => Measure(status.Snapshot().LagSeconds), "s",
            "Age of the oldest source commit not yet applied on the target.");
    }

    public Meter Meter { get; }

    public void Copied(QualifiedName table, long rows, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("table", table.ToString());
        if (rows != 0) _copyRows.Add(rows, tag);
        if (bytes != 0) _copyBytes.Add(bytes, tag);
    }

    /// <summary>A target transaction committed: its source transactions, changes, and the cache look-ups since the last.</summary>
    public void Committed(int transactions, int changes, long cacheHits, long cacheMisses)
    {
        _transactions.Add(transactions);
        _changes.Add(changes);
        if (cacheHits != 0) _cacheHits.Add(cacheHits);
        if (cacheMisses != 0) _cacheMisses.Add(cacheMisses);
        _batchTransactions.Record(transactions);
        _batchChanges.Record(changes);
    }

    private static IEnumerable<Measurement<T>> Measure<T>(T? value) where T : struct =>
        value is { } v ? [new Measurement<T>(v)] : [];

    public void Dispose() => Meter.Dispose();
}
