using System.Buffers.Binary;
using Follow.Snapshot;

namespace Follow.Tests.Snapshot;

/// <summary>Binary COPY streams built by hand, rewritten through key maps, fed in pieces of every size.</summary>
public sealed class BackfillKeyRewriterTests
{
    private static readonly byte[] Signature = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    /// <summary>A binary COPY stream; each row is a list of fields, null for NULL.</summary>
    private static byte[] Stream(IEnumerable<byte[]?[]> rows, byte[]? extension = null)
    {
        var bytes = new List<byte>(Signature);
        bytes.AddRange(Int32(0));
        bytes.AddRange(Int32(extension?.Length ?? 0));
        bytes.AddRange(extension ?? []);
        foreach (var row in rows)
        {
            bytes.AddRange(Int16((short)row.Length));
            foreach (var field in row)
            {
                bytes.AddRange(Int32(field?.Length ?? -1));
                bytes.AddRange(field ?? []);
            }
        }
        bytes.AddRange(Int16(-1));
        return [.. bytes];
    }

    private static byte[] Int16(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Text(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    private static BackfillKeyMap Map(IEnumerable<(byte[] Key, byte[] Value)> entries, int valueWidth, long limit = 1 << 20) =>
        BackfillKeyMap.Load(new MemoryStream(Stream(entries.Select(e => new byte[]?[] { e.Key, e.Value }))), valueWidth, limit, CancellationToken.None)
        ?? throw new InvalidOperationException("the map did not load");

    private static (byte[] Output, BackfillKeyRewriter Rewriter) Rewrite(BackfillKeyMap map, byte[] input, int piece)
    {
        var output = new MemoryStream();
        var rewriter = new BackfillKeyRewriter(map, output);
        for (var at = 0; at < input.Length; at += piece) rewriter.Write(input.AsSpan(at, Math.Min(piece, input.Length - at)));
        rewriter.Flush();
        return (output.ToArray(), rewriter);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(1 << 16)]
    public void The_key_field_is_replaced_and_rows_without_a_key_are_left_out_however_the_stream_is_cut(int piece)
    {
        // Dense ids (an array) with bigint values.
        var map = Map([(Int64(1), Int64(100)), (Int64(2), Int64(200)), (Int64(4), Int64(-400))], valueWidth: 8);
        var input = Stream(
        [
            [Int64(2), Text("two"), null],
            [null, Text("no key"), Int32(5)],
            [Int64(3), Text("missing parent"), Int32(6)],
            [Int64(4), Text(new string('x', 300)), Int32(7)],
            [Int64(1), [], Int32(8)],
        ], extension: [1, 2, 3]);

        var (output, rewriter) = Rewrite(map, input, piece);

        var expected = Stream(
        [
            [Int64(200), Text("two"), null],
            [Int64(-400), Text(new string('x', 300)), Int32(7)],
            [Int64(100), [], Int32(8)],
        ], extension: [1, 2, 3]);
        Assert.Equal(expected, output);
        Assert.Equal(3, rewriter.Rows);
        Assert.Equal(2, rewriter.Dropped);
    }

    [Theory]
    [InlineData(5L, 6L, 300L)]
    [InlineData(-400L, 0L, 65_000L)]
    [InlineData(0L, 70_000L, -3_000_000_000L)]
    [InlineData(long.MinValue, 0L, long.MaxValue)]
    public void Values_of_any_spread_come_back_exactly_from_dense_and_sparse_maps(long a, long b, long c)
    {
        long[] values = [a, b, c];
        foreach (var keys in new[] { new long[] { 10, 11, 12 }, [10, 1_000_000, -7] })
        {
            var map = Map(keys.Zip(values, (k, v) => (Int64(k), Int64(v))), valueWidth: 8);
            var input = Stream([.. keys.Reverse().Select(k => new byte[]?[] { Int64(k), Text("row") })]);

            var (output, _) = Rewrite(map, input, 1 << 16);

            Assert.Equal(Stream([.. values.Reverse().Select(v => new byte[]?[] { Int64(v), Text("row") })]), output);
        }
    }

    [Fact]
    public void Sparse_and_negative_integer_keys_and_text_values_are_found()
    {
        // A key range far wider than the keys: a hash table; text values of several lengths.
        var keys = new[] { -5_000_000_000L, -1, 0, 7, 123_456_789_012 };
        var map = Map(keys.Select((k, i) => (Int64(k), Text(new string('t', i + 1)))), valueWidth: 0);
        var input = Stream([.. keys.Reverse().Select(k => new byte[]?[] { Int64(k), Int32((int)(k % 1000)) }).Append([Int64(8), Int32(0)])]);

        var (output, rewriter) = Rewrite(map, input, 5);

        var expected = Stream(keys.Select((k, i) => (k, i)).Reverse().Select(x => new byte[]?[] { Text(new string('t', x.i + 1)), Int32((int)(x.k % 1000)) }));
        Assert.Equal(expected, output);
        Assert.Equal(1, rewriter.Dropped);
    }

    [Fact]
    public void Integer_keys_and_values_keep_their_width()
    {
        var map = Map([(Int32(-1), Int32(10)), (Int32(1), Int32(-10))], valueWidth: 4);

        var (output, _) = Rewrite(map, Stream([[Int32(1), Text("a")], [Int32(-1), Text("b")]]), 2);

        Assert.Equal(Stream([[Int32(-10), Text("a")], [Int32(10), Text("b")]]), output);
    }

    [Fact]
    public void A_map_larger_than_its_limit_or_with_a_key_twice_is_not_loaded()
    {
        var entries = Enumerable.Range(0, 10_000).Select(i => new byte[]?[] { Int64(i * 1000L), Int64(i) });
        Assert.Null(BackfillKeyMap.Load(new MemoryStream(Stream(entries)), 8, limit: 64 * 1024, CancellationToken.None));
        Assert.NotNull(BackfillKeyMap.Load(new MemoryStream(Stream(entries)), 8, limit: 4 << 20, CancellationToken.None));

        var twice = new[] { new byte[]?[] { Int64(1), Int64(1) }, [Int64(1), Int64(2)] };
        Assert.Null(BackfillKeyMap.Load(new MemoryStream(Stream(twice)), 8, limit: 1 << 20, CancellationToken.None));
        var twiceSparse = new[] { new byte[]?[] { Int64(1), Int64(1) }, [Int64(1_000_000), Int64(2)], [Int64(1), Int64(3)] };
        Assert.Null(BackfillKeyMap.Load(new MemoryStream(Stream(twiceSparse)), 8, limit: 1 << 20, CancellationToken.None));
    }

    [Fact]
    public void A_stream_cut_inside_a_tuple_is_an_error()
    {
        var map = Map([(Int64(1), Int64(1))], valueWidth: 8);
        var input = Stream([[Int64(1), Text("abc")]]);
        var rewriter = new BackfillKeyRewriter(map, new MemoryStream());

        rewriter.Write(input.AsSpan(0, input.Length - 4));

        Assert.Throws<InvalidDataException>(rewriter.Flush);
    }
}
