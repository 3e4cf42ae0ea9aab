using System.Runtime.CompilerServices;
using Follow.Model;
using Follow.Planning;

namespace Follow.Enrich;

/// <summary>
/// The enrich stage: gives each change of a segment the distribution keys it needs. One hop is enough: the parent on
/// the FK path already carries the key on the target. A cache (parent key → distribution key, and row identity →
/// distribution key) is fed by the stream itself, as parents pass through first. A segment is walked ahead first:
/// what neither the cache nor an earlier change of the segment answers is looked up on the target in one batch,
/// through <see cref="ITargetKeys"/>, after every write handed on before it, so each answer sees every earlier
/// source transaction applied. A miss is a row the stream has not changed since the segment began, so its state on
/// the target then is its state when the change is applied. A change that moves a row to another key moves its
/// children on the target too, which no walk ahead foresaw: the cache is forgotten and the walk starts again after it.
/// </summary>
public sealed class KeyEnricher(DistributionPlan plan, int capacity = 100_000)
{
    private readonly RelationKeys _relations = new(plan);
    private readonly KeyCache _cache = new(capacity);

    // While walking a segment ahead: keys an earlier change of the segment defines, and the misses to look up.
    private readonly HashSet<Lookup> _defined = [];
    private readonly HashSet<Lookup> _missed = [];
    private readonly Dictionary<(bool Row, QualifiedName Table, string Columns, bool Nulls), (KeyQuery Query, List<Lookup> Lookups)> _misses = [];

    // For each parent table, the column lists its children's first hops reference.
    private readonly Dictionary<QualifiedName, List<IReadOnlyList<string>>> _referenced = plan.Tables
        .Where(t => t.Backfill is not null)
        .Select(t => t.Backfill!.Hops[0])
        .GroupBy(h => h.Parent)
        .ToDictionary(g => g.Key, g => g.Select(h => h.ParentColumns).DistinctBy(c => string.Join("\u0001", c)).ToList());

    // A hop's parent by the child table, as the plan's own name (see Lookup).
    private readonly Dictionary<TablePlan, QualifiedName> _parentNames = new(ReferenceEqualityComparer.Instance);

    /// <summary>Keys the cache or the segment answered, and those looked up on the target, since the start.</summary>
    public long Hits => _cache.Hits;

    public long Misses => _cache.Misses;

    public RelationKeys Relations => _relations;

    /// <summary>
    /// Before the stream writes anything: the keys of the smaller tables, smallest first, as long as they fill at
    /// most half the cache. Their rows' keys by identity (for their updates and deletes) and their keys as parents
    /// of backfilled children. Such a look-up then misses only for a row the stream has not seen since it started.
    /// On Citus each miss is a statement on every shard: in the benchmark's backlog 23 look-ups took 0.9 s of the
    /// coordinator's 3.6 s, two thirds of them on tables of under 15,000 rows.
    /// </summary>
    public async Task<int> PreloadAsync(ITargetKeys target, CancellationToken cancellationToken)
    {
        var reads = new List<(TablePlan Table, IReadOnlyList<string> Columns, bool Row, bool Parent)>();
        foreach (var table in plan.Tables.Where(t => t.Category.IsDistributed() && t.DistributionColumn is { } && !t.Source.IsPartition
            && t.Source.Kind == TableKind.Regular))
        {
            // As the stream marks them: in the table's column order.
            var identity = table.Source.IdentityColumns is { } columns && !columns.Contains(table.DistributionColumn!)
                ? columns.OrderBy(c => table.Source.Columns.ToList().FindIndex(x => x.Name == c)).ToList()
                : null;
            var parents = _referenced.GetValueOrDefault(table.Name) ?? [];
            if (identity is not null) reads.Add((table, identity, true, parents.Any(p => p.SequenceEqual(identity))));
            reads.AddRange(parents.Where(p => identity is null || !p.SequenceEqual(identity)).Select(p => (table, p, false, true)));
        }
        var budget = capacity / 2;
        var loaded = 0;
        foreach (var (table, columns, row, parent) in reads.OrderBy(r => r.Table.Source.SizeBytes))
        {
            var kinds = (row ? 1 : 0) + (parent ? 1 : 0);
            if (budget / kinds == 0) break;
            // A table the source's statistics already put past the budget is not read at all: reading until the
            // limit costs a scan of every shard (0.2 s for each of the benchmark's 100,000-row tables on Citus).
            if (table.Source.RowEstimate > budget / kinds) continue;
            var rows = await target.ReadAllAsync(new KeyQuery(table.Name, columns, table.DistributionColumn!, []), budget / kinds, cancellationToken);
            if (rows is null) continue;
            foreach (var (key, value) in rows)
            {
                if (row) _cache.Preload(new Lookup(true, table.Name, key), value);
                if (parent) _cache.Preload(new Lookup(false, table.Name, key), value);
            }
            budget -= rows.Count * kinds;
            loaded += rows.Count * kinds;
        }
        return loaded;
    }

    /// <summary>After a TRUNCATE, cached parents and rows may be gone.</summary>
    public void Forget() => _cache.Forget();

    /// <summary>
    /// The segment's changes with their keys, in order. The caller hands each one on before taking the next: the
    /// look-ups made meanwhile must see it written.
    /// </summary>
    public async IAsyncEnumerable<KeyedChange> EnrichAsync(
        IReadOnlyList<(RowChange Change, TransactionBegin Transaction)> segment, ITargetKeys target,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = 0;
        while (start < segment.Count)
        {
            _cache.BeginSegment();
            _defined.Clear();
            _missed.Clear();
            _misses.Clear();
            for (var i = start; i < segment.Count; i++) WalkAhead(segment[i].Change);
            await LookUpMissesAsync(target, cancellationToken);
            for (var i = start; i < segment.Count; i++)
            {
                var keyed = await ResolveAsync(segment[i].Change, segment[i].Transaction, target, cancellationToken);
                yield return keyed;
                if (keyed.Moves) _cache.Forget();
                Tell(keyed);
                start = i + 1;
                if (keyed.Moves) break;
            }
        }
    }

    /// <summary>What a change asks: its row's key on the target (updates, deletes), its parent's (a backfilled row's new version).</summary>
    private (Lookup? Row, KeyQuery? RowQuery, Lookup? Parent, KeyQuery? ParentQuery, bool NullParent) NeedsOf(
        TablePlan table, RowChange change, IReadOnlyList<int> key)
    {
        Lookup? row = null, parent = null;
        KeyQuery? rowQuery = null, parentQuery = null;
        var nullParent = false;
        if (change.Kind != ChangeKind.Insert)
        {
            var keyValues = key.Select(k => (change.Old ?? change.New)![k]).ToList();
            row = new Lookup(true, table.Name, Lookup.KeyOf(keyValues));
            rowQuery = new KeyQuery(table.Name, [.. key.Select(k => change.Relation.Columns[k].Name)], table.DistributionColumn!,
                [[.. keyValues.Select(v => v.Text)]]);
        }
        if (change.Kind != ChangeKind.Delete && table.AddsDistributionColumn)
        {
            var hop = table.Backfill!.Hops[0];
            var values = new string?[hop.ChildColumns.Count];
            for (var i = 0; i < values.Length && !nullParent; i++)
            {
                var value = change.New![change.Relation.IndexOf(hop.ChildColumns[i])];
                nullParent = value.Kind != ValueKind.Text;
                values[i] = value.Text;
            }
            if (!nullParent)
            {
                parent = new Lookup(false, ParentName(table), values.Length == 1 ? values[0]! : string.Join("\u0001", values));
                parentQuery = new KeyQuery(hop.Parent, hop.ParentColumns, plan.Get(hop.Parent).DistributionColumn!, [values]);
            }
        }
        return (row, rowQuery, parent, parentQuery, nullParent);
    }

    /// <summary>
    /// What a change makes known to the changes after it: its parent keys for its children, its old identity gone
    /// (true), its new identity. Walking ahead marks them; once resolved they take the change's key.
    /// </summary>
    private IEnumerable<(Lookup Lookup, bool Gone)> TellsOf(TablePlan table, RowChange change, IReadOnlyList<int> key)
    {
        if (change.Kind != ChangeKind.Delete)
        {
            foreach (var parent in ParentKeysOf(table, change.Relation, change.New!)) yield return (parent, false);
        }
        if (change.Kind == ChangeKind.Delete || (change.Kind == ChangeKind.Update && change.Old is not null))
        {
            yield return (new Lookup(true, table.Name, Lookup.KeyOf([.. key.Select(k => change.Old![k])])), true);
        }
        if (change.Kind != ChangeKind.Delete)
        {
            yield return (new Lookup(true, table.Name, Lookup.KeyOf([.. key.Select(k => change.New![k])])), false);
        }
    }

    private void WalkAhead(RowChange change)
    {
        var (table, key, _) = _relations.KeyOf(change);
        if (!table.Category.IsDistributed()) return;
        var needs = NeedsOf(table, change, key);
        if (needs.Row is { } row) Need(row, needs.RowQuery!);
        if (needs.Parent is { } parent) Need(parent, needs.ParentQuery!);
        foreach (var (lookup, _) in TellsOf(table, change, key)) _defined.Add(lookup);
    }

    /// <summary>Walking ahead: answered by an earlier change of the segment, by the cache, or else collected as a miss.</summary>
    private void Need(Lookup lookup, KeyQuery query)
    {
        if (_defined.Contains(lookup) || _cache.InSegment(lookup) || !_missed.Add(lookup)) return;
        if (_cache.Peek(lookup)) return;
        var nulls = query.Keys[0].Any(v => v is null);
        var group = (lookup.Row, query.Table, string.Join("\u0001", query.Columns), nulls || query.Columns.Count > 1);
        if (!_misses.TryGetValue(group, out var miss))
        {
            _misses[group] = miss = (query with { Keys = new List<IReadOnlyList<string?>>() }, []);
        }
        ((List<IReadOnlyList<string?>>)miss.Query.Keys).Add(query.Keys[0]);
        miss.Lookups.Add(lookup);
    }

    private async Task LookUpMissesAsync(ITargetKeys target, CancellationToken cancellationToken)
    {
        if (_misses.Count == 0) return;
        var misses = _misses.Values.ToList();
        var answers = await target.FindAsync([.. misses.Select(m => m.Query)], cancellationToken);
        for (var q = 0; q < misses.Count; q++)
        {
            for (var k = 0; k < misses[q].Lookups.Count; k++) _cache.Found(misses[q].Lookups[k], answers[q][k]);
        }
    }

    private async ValueTask<KeyedChange> ResolveAsync(RowChange change, TransactionBegin transaction, ITargetKeys target, CancellationToken cancellationToken)
    {
        var (table, key, identified) = _relations.KeyOf(change);
        if (!table.Category.IsDistributed()) return new KeyedChange(change, transaction, table, key, identified, null, null);
        var needs = NeedsOf(table, change, key);
        string? current = null, next = null;
        if (needs.Row is { } row)
        {
            current = await AnswerAsync(row, needs.RowQuery!, target, cancellationToken)
                ?? throw KeyRefusals.MissingRow(table, change.Relation, key, [.. key.Select(k => (change.Old ?? change.New)![k])]);
        }
        if (change.Kind != ChangeKind.Delete)
        {
            if (needs.NullParent) throw KeyRefusals.NullParent(table);
            next = needs.Parent is { } parent
                ? await AnswerAsync(parent, needs.ParentQuery!, target, cancellationToken) ?? throw KeyRefusals.MissingParent(table, change.Relation, change.New!)
                : change.New![change.Relation.IndexOf(table.DistributionColumn!)].Text;
            if (change.Kind == ChangeKind.Update && next is null) throw KeyRefusals.NullKey(table);
        }
        return new KeyedChange(change, transaction, table, key, identified, current, next);
    }

    /// <summary>The answer the walk ahead found; one it did not foresee is asked at once, after the writes before it.</summary>
    private async ValueTask<string?> AnswerAsync(Lookup lookup, KeyQuery query, ITargetKeys target, CancellationToken cancellationToken)
    {
        if (_cache.TryGet(lookup, out var value)) return value;
        value = (await target.FindAsync([query], cancellationToken))[0][0];
        _cache.Found(lookup, value);
        return value;
    }

    /// <summary>A resolved change tells its keys: parents for their children, old identities gone, new ones.</summary>
    private void Tell(KeyedChange keyed)
    {
        if (!keyed.Table.Category.IsDistributed()) return;
        foreach (var (lookup, gone) in TellsOf(keyed.Table, keyed.Change, keyed.Key))
        {
            if (gone) _cache.Set(lookup, null);
            else if (lookup.Row) _cache.Set(lookup, keyed.Next);
            else if (keyed.Next is not null) _cache.Set(lookup, keyed.Next);
        }
    }

    /// <summary>The parent look-ups a row of this table answers for its children.</summary>
    private IEnumerable<Lookup> ParentKeysOf(TablePlan table, Relation relation, IReadOnlyList<ColumnValue> values)
    {
        if (!_referenced.TryGetValue(table.Name, out var columnLists)) yield break;
        foreach (var columns in columnLists)
        {
            var parts = columns.Select(c => values[relation.IndexOf(c)]).ToList();
            if (parts.Any(v => v.Kind != ValueKind.Text)) continue;
            yield return new Lookup(false, table.Name, parts.Count == 1 ? parts[0].Text! : string.Join("\u0001", parts.Select(v => v.Text)));
        }
    }

    private QualifiedName ParentName(TablePlan table)
    {
        if (!_parentNames.TryGetValue(table, out var name)) _parentNames[table] = name = plan.Get(table.Backfill!.Hops[0].Parent).Name;
        return name;
    }
}
