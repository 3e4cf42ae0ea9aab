using Follow.Connections;
using Follow.Model;
using Follow.Planning;
using Follow.State;

namespace Follow.Pipeline;

/// <summary>What the plan phase gives the others: the source's catalog, the plan, and both connections.</summary>
/// <param name="Record">What the clone records of its plan: the rules and filters it was given, the plan's text.</param>
/// <param name="IncludeDrop">A pgloader command file's <c>include drop</c>: target tables are dropped and created again.</param>
public sealed record PlannedMigration(Catalog Catalog, DistributionPlan Plan, ConnectionInfo Source, ConnectionInfo Target, bool IncludeDrop, PlanRecord Record);
