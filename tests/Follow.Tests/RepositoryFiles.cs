namespace Follow.Tests;

/// <summary>Files of the repository the tests check against (samples, deploy examples).</summary>
internal static class RepositoryFiles
{
    public static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Follow.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Follow.sln not found above the test directory");
    }

    public static string Get(params string[] parts) => Path.Combine([Root(), .. parts]);
}
