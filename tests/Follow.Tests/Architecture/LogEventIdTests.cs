using System.Reflection;
using Follow.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Follow.Tests.Architecture;

public sealed class LogEventIdTests
{
    private static IEnumerable<(MethodInfo Method, int Id)> LogMessages() =>
        new[] { typeof(FollowException).Assembly, typeof(Follow.Cli.Failure).Assembly }
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Method, x.Attribute!.EventId));

    private static string Where(MethodInfo method) => $"{method.DeclaringType!.FullName}.{method.Name}";

    [Fact]
    public void Every_log_event_id_is_used_once()
    {
        var messages = LogMessages().ToList();
        Assert.NotEmpty(messages);
        var twice = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => Where(m.Method)))}");
        Assert.Empty(twice);
    }

    [Fact]
    public void Every_log_event_id_lies_in_its_stages_range()
    {
        var misplaced = LogMessages()
            .Select(m => (m.Method, m.Id, Range: LogEventRanges.ByNamespace
                .Where(r => m.Method.DeclaringType!.Namespace == r.Key || m.Method.DeclaringType.Namespace!.StartsWith(r.Key + ".", StringComparison.Ordinal))
                .OrderByDescending(r => r.Key.Length)
                .Select(r => (int?)r.Value)
                .FirstOrDefault()))
            .Where(m => m.Range is not { } start || m.Id < start || m.Id >= start + 1000)
            .Select(m => $"{Where(m.Method)} has {m.Id}, its namespace's range starts at {m.Range?.ToString() ?? "(none)"}");
        Assert.Empty(misplaced);
    }
}
