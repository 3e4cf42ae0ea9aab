using System.Diagnostics;

namespace Follow.Snapshot;

/// <summary>
/// Moves a binary COPY stream from the source to the target as raw bytes, in reads of 128 kB (no decoding in
/// between), reporting the bytes moved about once a second.
/// </summary>
public static class CopyPump
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    public static long Run(
        Stream reader, Action<byte[], int> write, Stopwatch clock, Action<(long Bytes, TimeSpan Time)> report,
        CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 17];
        long bytes = 0;
        var lastReport = clock.Elapsed;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var filled = 0;
            int read;
            while (buffer.Length - filled >= 1 << 14 && (read = reader.Read(buffer, filled, buffer.Length - filled)) > 0) filled += read;
            if (filled == 0) return bytes;
            write(buffer, filled);
            bytes += filled;
            if (clock.Elapsed - lastReport >= ReportInterval)
            {
                lastReport = clock.Elapsed;
                report((bytes, clock.Elapsed));
            }
        }
    }
}
