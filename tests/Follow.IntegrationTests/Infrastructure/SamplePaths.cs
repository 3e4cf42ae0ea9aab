namespace Follow.IntegrationTests.Infrastructure;

/// <summary>The repository's samples/ folder, copied next to the test assembly.</summary>
public static class SamplePaths
{
    public static string Get(params string[] parts)
    {
        var path = Path.Combine([AppContext.BaseDirectory, "samples", .. parts]);
        return File.Exists(path) || Directory.Exists(path)
            ? path
            : throw new FileNotFoundException($"No sample at {path}; is it under samples/ in the repository?", path);
    }
}
