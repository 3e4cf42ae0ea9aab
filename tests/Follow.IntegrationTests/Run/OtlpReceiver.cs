using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Follow.IntegrationTests.Run;

/// <summary>
/// An OTLP/HTTP endpoint on 127.0.0.1 that keeps what it is sent. Metric names are protobuf strings, so they read as
/// UTF-8 in the payload: enough to tell which instruments arrived without a protobuf parser.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _serving;

    public OtlpReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    /// <summary>The metrics exports received so far, decompressed, as text where their strings are readable.</summary>
    public string Metrics =>
        string.Join("\n", _received.Where(r => r.Path == "/v1/metrics").Select(r => Encoding.UTF8.GetString(r.Body)));

    public int Exports => _received.Count(r => r.Path == "/v1/metrics");

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            var input = context.Request.Headers["Content-Encoding"] == "gzip"
                ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress)
                : context.Request.InputStream;
            await input.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            // An empty ExportMetricsServiceResponse: all accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
