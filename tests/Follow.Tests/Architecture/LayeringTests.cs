using System.Reflection;
using Follow.Model;
using NetArchTest.Rules;

namespace Follow.Tests.Architecture;

/// <summary>
/// The layering of Follow.Core, as the README's architecture paragraph draws it. LSNs are Npgsql's value type
/// (<c>NpgsqlTypes</c>) everywhere, as the house convention asks; "no Npgsql" means no connection, command or
/// replication type.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly Core = typeof(Catalog).Assembly;

    private static void Holds(TestResult result, string rule) =>
        Assert.True(result.IsSuccessful, $"{rule}: {string.Join(", ", result.FailingTypeNames ?? [])}");

    [Theory]
    [InlineData("Follow.Model")]
    [InlineData("Follow.Planning")]
    [InlineData("Follow.Rewrite")]
    public void Model_planning_and_rewrite_use_no_npgsql(string layer) =>
        Holds(Types.InAssembly(Core).That().ResideInNamespace(layer).ShouldNot().HaveDependencyOnAny("Npgsql.", "Npgsql.NpgsqlConnection",
            "Npgsql.NpgsqlCommand", "Npgsql.NpgsqlBatch", "Npgsql.NpgsqlParameter", "Npgsql.NpgsqlDataReader").GetResult(), $"{layer} uses Npgsql");

    [Fact]
    public void Only_decode_uses_npgsql_replication() =>
        Holds(Types.InAssembly(Core).That().DoNotResideInNamespace("Follow.Decode").ShouldNot().HaveDependencyOn("Npgsql.Replication").GetResult(),
            "outside Decode, Npgsql.Replication is used");

    [Fact]
    public void Enrich_does_not_use_apply() =>
        Holds(Types.InAssembly(Core).That().ResideInNamespace("Follow.Enrich").ShouldNot().HaveDependencyOn("Follow.Apply").GetResult(),
            "Enrich uses Apply");

    [Fact]
    public void Diagnostics_does_not_use_pipeline() =>
        Holds(Types.InAssembly(Core).That().ResideInNamespace("Follow.Diagnostics").ShouldNot().HaveDependencyOn("Follow.Pipeline").GetResult(),
            "Diagnostics uses Pipeline");

    [Fact]
    public void No_namespace_depends_on_another_in_a_circle()
    {
        var namespaces = Core.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("Follow.", StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        var uses = namespaces.ToDictionary(n => n, n => namespaces
            .Where(other => other != n && !Types.InAssembly(Core).That().ResideInNamespaceMatching($"^{Escape(n)}$")
                .ShouldNot().HaveDependencyOn(other).GetResult().IsSuccessful)
            .ToList());

        var circles = new List<string>();
        var state = namespaces.ToDictionary(n => n, _ => 0);
        var path = new Stack<string>();
        foreach (var start in namespaces) Visit(start);
        Assert.True(circles.Count == 0, string.Join("; ", circles));

        void Visit(string at)
        {
            if (state[at] == 2) return;
            if (state[at] == 1)
            {
                circles.Add(string.Join(" → ", path.Reverse().SkipWhile(n => n != at).Append(at)));
                return;
            }
            state[at] = 1;
            path.Push(at);
            foreach (var next in uses[at]) Visit(next);
            path.Pop();
            state[at] = 2;
        }
    }

    [Fact]
    public void The_cycle_check_sees_dependencies()
    {
        // Pipeline runs the stream's stages: if this read nothing, the check above could not fail.
        Assert.False(Types.InAssembly(Core).That().ResideInNamespaceMatching("^Follow\\.Pipeline$").ShouldNot().HaveDependencyOn("Follow.Apply")
            .GetResult().IsSuccessful);
    }

    private static string Escape(string name) => name.Replace(".", "\\.");
}
