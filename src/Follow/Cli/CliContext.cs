using Follow.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Follow.Cli;

/// <summary>What a command runs with: its output streams, the environment, logging and the connections seen so far.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, Func<string, string?> environment) : IDisposable
{
    private readonly List<ConnectionInfo> _connections = [];

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public Func<string, string?> Environment { get; } = environment;

    /// <summary>Standard output is a terminal: live displays instead of lines written once.</summary>
    public bool IsInteractive => ReferenceEquals(Output, Console.Out) && !Console.IsOutputRedirected;

    public ILoggerFactory LoggerFactory { get; } = Logging.Create(environment);

    /// <summary>appsettings.json of the working directory, then environment variables, the .NET way.</summary>
    public IConfiguration Configuration { get; } = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();

    /// <summary>Records a connection so that its password is scrubbed from any error text.</summary>
    public ConnectionInfo Remember(ConnectionInfo connection)
    {
        _connections.Add(connection);
        return connection;
    }

    public string Scrub(string text) =>
        _connections.Aggregate(text, (current, connection) => Redaction.Scrub(current, connection));

    public void Dispose() => LoggerFactory.Dispose();
}
