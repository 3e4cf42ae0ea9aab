using Follow.Model;
using Follow.Planning;
using Follow.Rules;

namespace Follow.Tests.Planning;

/// <summary>Plans a hand-built catalog with rules written as text.</summary>
internal static class PlanFixture
{
    public static DistributionPlan Plan(Catalog catalog, string rules) =>
        DistributionPlanner.Plan(catalog, RulesParser.Parse(rules, "test.rules"));

    public static PlanRefusedException Refuse(Catalog catalog, string rules) =>
        Assert.Throws<PlanRefusedException>(() => Plan(catalog, rules));

    public static QualifiedName Public(string name) => new("public", name);

    /// <summary>A key's columns as one comparable string.</summary>
    public static string Columns(IEnumerable<string?> columns) => string.Join(", ", columns);

    /// <summary>The one problem of a refusal, which names its table and a fix.</summary>
    public static PlanProblem SingleProblemFor(PlanRefusedException refused, string table)
    {
        var problem = Assert.Single(refused.Problems);
        Assert.Equal(CatalogBuilder.Name(table), problem.Table);
        Assert.Contains($"{CatalogBuilder.Name(table)}:", refused.Message);
        Assert.False(string.IsNullOrWhiteSpace(problem.Fix));
        return problem;
    }
}
