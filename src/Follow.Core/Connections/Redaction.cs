namespace Follow.Connections;

/// <summary>Removes known passwords from text that may echo them, such as a library's exception message.</summary>
public static class Redaction
{
    public const string Mask = "********";

    /// <summary>
    /// Replaces each connection's password and sslpassword, also as percent-encoded and libpq-quoted, with
    /// <see cref="Mask"/>. A very short password masks every place its characters appear: safety over tidiness.
    /// </summary>
    public static string Scrub(string text, params ReadOnlySpan<ConnectionInfo?> connections)
    {
        ArgumentNullException.ThrowIfNull(text);
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var connection in connections)
        {
            foreach (var secret in connection?.Secrets ?? [])
            {
                forms.Add(secret);
                forms.Add(Uri.EscapeDataString(secret));
                forms.Add(secret.Replace("\\", "\\\\").Replace("'", "\\'"));
            }
        }
        // Longest first, so a password that contains another is masked whole.
        foreach (var form in forms.Where(f => f.Length > 0).OrderByDescending(f => f.Length))
        {
            text = text.Replace(form, Mask, StringComparison.Ordinal);
        }
        return text;
    }
}
