using Follow.Compare;

namespace Follow.Cli.Output;

/// <summary>A by-tenant comparison's progress on standard error, a line per table done (one at a time): tables and tenants done, rate, time left.</summary>
public sealed class CompareProgressRenderer(CliContext context)
{
    public void Report(CompareProgress progress)
    {
        var rate = progress.Elapsed.TotalSeconds > 0 ? progress.TenantsDone / progress.Elapsed.TotalSeconds : 0;
        context.Error.WriteLine(
            $"compared {progress.Last}: {progress.TablesDone}/{progress.Tables} tables, {ProgressFormat.Count(progress.TenantsDone)} tenants "
            + $"({ProgressFormat.Count(rate)}/s), {ProgressFormat.Duration(progress.Elapsed)} elapsed, {ProgressFormat.Duration(progress.Left)} left");
    }
}
