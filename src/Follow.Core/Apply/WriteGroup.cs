using Follow.Model;

namespace Follow.Apply;

/// <summary>Rows of one shape written together, in order, with the first and last source transaction they hold.</summary>
public sealed class WriteGroup(Shape shape, TransactionBegin first)
{
    public Shape Shape { get; } = shape;

    public List<string?[]> Rows { get; } = [];

    public TransactionBegin First { get; } = first;

    public TransactionBegin Last { get; set; } = first;
}
