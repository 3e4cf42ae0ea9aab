namespace Follow.Model;

/// <summary>A column value in pgoutput's text form. An unchanged TOAST value is not NULL: it is never written.</summary>
public readonly record struct ColumnValue(ValueKind Kind, string? Text)
{
    public static readonly ColumnValue Null = new(ValueKind.Null, null);
    public static readonly ColumnValue Unchanged = new(ValueKind.UnchangedToast, null);

    /// <summary>What a row of values takes on the heap: the list, and each string's header and UTF-16 characters.</summary>
    public static long EstimatedBytes(IReadOnlyList<ColumnValue>? values)
    {
        if (values is null) return 0;
        long bytes = 32 + 16L * values.Count;
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i].Text is { } text) bytes += 24 + 2L * text.Length;
        }
        return bytes;
    }
}
