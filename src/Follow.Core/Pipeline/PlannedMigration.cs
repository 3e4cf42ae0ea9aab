using Follow.Connections;
using Follow.Model;
using Follow.Planning;

namespace Follow.Pipeline;

/// <summary>What the plan phase gives the others: the source's catalog, the plan, and both connections.</summary>
/// <param name="IncludeDrop">A pgloader command file's <c>include drop</c>: target tables are dropped and created again.</param>
public sealed record PlannedMigration(Catalog Catalog, DistributionPlan Plan, ConnectionInfo Source, ConnectionInfo Target, bool IncludeDrop);
