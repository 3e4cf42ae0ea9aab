using Follow.Decode;
using Follow.Model;
using Follow.IntegrationTests.Infrastructure;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;

namespace Follow.IntegrationTests.Decode;

/// <summary>pgoutput read into Follow's change records, against a real source.</summary>
public sealed class PgOutputDecoderTests
{
    private static async Task<List<ChangeRecord>> DecodeAsync(TestDatabase source, string workload, int records)
    {
        await using var replication = new LogicalReplicationConnection(source.ConnectionString);
        await replication.Open();
        var slot = await replication.CreatePgOutputReplicationSlot(source.Name, temporarySlot: true);
        await source.ExecuteAsync(workload);

        var decoded = new List<ChangeRecord>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var decoder = new PgOutputDecoder(replication, source.Name, "decode_test");
        try
        {
            await foreach (var record in decoder.ReadAsync(slot.ConsistentPoint, timeout.Token))
            {
                decoded.Add(record);
                if (decoded.Count == records) break;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"{decoded.Count} of {records} records within 10 s: {string.Join(", ", decoded.Select(r => r.GetType().Name))}");
        }
        return decoded;
    }

    [Fact]
    public async Task Inserts_updates_deletes_and_truncates_become_change_records_between_begin_and_commit()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("decode_kinds");
        await source.ExecuteAsync("""
            CREATE TABLE items (id bigint PRIMARY KEY, name text, note text);
            CREATE PUBLICATION decode_test FOR TABLE items;
            """);

        var records = await DecodeAsync(source, """
            INSERT INTO items VALUES (1, 'one', NULL), (2, 'two', 'x');
            UPDATE items SET name = 'uno' WHERE id = 1;
            DELETE FROM items WHERE id = 2;
            TRUNCATE items;
            """, 7);

        var changes = records.OfType<RowChange>().ToList();
        Assert.Equal([ChangeKind.Insert, ChangeKind.Insert, ChangeKind.Update, ChangeKind.Delete], changes.Select(c => c.Kind));
        Assert.Equal("public.items", changes[0].Relation.Name.ToString());
        Assert.Equal([new ColumnValue(ValueKind.Text, "1"), new ColumnValue(ValueKind.Text, "one"), ColumnValue.Null], changes[0].New);
        Assert.Equal("uno", changes[2].New![1].Text);
        Assert.Equal("2", changes[3].Old![0].Text);
        Assert.IsType<TruncateChange>(records[^2]);
        // One command, one transaction; its Begin already tells the LSN it commits at, which endpos decides on.
        var begin = Assert.IsType<TransactionBegin>(records[0]);
        var commit = Assert.IsType<TransactionCommit>(records[^1]);
        Assert.Equal(begin.CommitLsn, commit.CommitLsn);
        Assert.True(commit.EndLsn > commit.CommitLsn);
    }

    [Fact]
    public async Task An_unchanged_toasted_value_is_kept_apart_from_null()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("decode_toast");
        await source.ExecuteAsync("""
            CREATE TABLE docs (id bigint PRIMARY KEY, body text, flag boolean);
            ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
            CREATE PUBLICATION decode_test FOR TABLE docs;
            INSERT INTO docs SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 400) g;
            """);

        var records = await DecodeAsync(source, """
            UPDATE docs SET flag = true WHERE id = 1;
            UPDATE docs SET body = NULL WHERE id = 1;
            """, 4);

        var updates = records.OfType<RowChange>().ToList();
        Assert.Equal(ValueKind.UnchangedToast, updates[0].New![1].Kind);
        Assert.Equal("t", updates[0].New![2].Text);
        Assert.Equal(ValueKind.Null, updates[1].New![1].Kind);
    }

    [Fact]
    public async Task A_column_added_while_streaming_stops_the_stream_saying_what_changed()
    {
        var servers = await PostgresServers.GetAsync();
        await using var source = await servers.Source.CreateDatabaseAsync("decode_ddl");
        await source.ExecuteAsync("""
            CREATE TABLE items (id bigint PRIMARY KEY, name text);
            CREATE PUBLICATION decode_test FOR TABLE items;
            """);

        var error = await Assert.ThrowsAsync<RelationChangedException>(() => DecodeAsync(source, """
            INSERT INTO items VALUES (1, 'one');
            ALTER TABLE items ADD COLUMN price numeric;
            INSERT INTO items VALUES (2, 'two', 2);
            """, 100));

        Assert.Contains("public.items", error.Message);
        Assert.Contains("(id, name) and are now (id, name, price)", error.Message);
    }
}
