using System.Diagnostics;

namespace Follow.IntegrationTests.Infrastructure;

/// <summary>
/// The system's Chromium, headless, as a process: it loads a page, lets its scripts run for a while of virtual time
/// (fetches included) and prints the DOM they left. FOLLOW_CHROMIUM names another executable.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly Lazy<string?> Found = new(Find);

    public static string? Executable => Found.Value;

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? UnavailableReason => Executable is null
        ? "Chromium is not installed (apt-get install chromium, or set FOLLOW_CHROMIUM): the status page is not rendered"
        : null;

    public static async Task<string> DumpDomAsync(Uri page, TimeSpan scriptTime)
    {
        var profile = Directory.CreateTempSubdirectory("follow-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(UnavailableReason))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // Root (CI) has no sandbox; the profile is the test's own so that parallel runs do not share one.
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", $"--user-data-dir={profile.FullName}",
                $"--virtual-time-budget={(int)scriptTime.TotalMilliseconds}", "--dump-dom", page.ToString(),
            })
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not print {page} within 90 s: {await error}");
            }
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {await error}");
            return await output;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("FOLLOW_CHROMIUM") is { Length: > 0 } named) return File.Exists(named) ? named : null;
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator) ?? [];
        return new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => path.Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>A fact that renders a page in headless Chromium; skipped, with the way to install it, where there is none.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.UnavailableReason is { } reason) Skip = reason;
    }
}
