namespace Follow.Cli.Hosting;

/// <summary>The status page, one HTML file with its style and script inline, built into the executable.</summary>
public static class StatusPage
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("Follow.Cli.Hosting.StatusPage.html")
            ?? throw new InvalidOperationException("the status page is missing from the executable's resources");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Html => Page.Value;
}
