using Follow.Connections;

namespace Follow.Tests.Connections;

public sealed class CitusConnectionsTests
{
    [Theory]
    [InlineData(0L, 1)]
    [InlineData(615_807L, 1)]
    [InlineData(46_548_469L, 1)]
    [InlineData(64L << 20, 1)]
    [InlineData((64L << 20) + 1, 2)]
    [InlineData(1L << 30, 16)]
    [InlineData(-1L, 1)]
    public void A_table_gets_a_connection_a_worker_for_each_64_MB(long bytes, int connections) =>
        Assert.Equal(connections, CitusExtension.ConnectionsFor(bytes));
}
