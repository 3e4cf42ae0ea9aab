using Follow.Model;

namespace Follow.Planning;

/// <summary>One <c>create_reference_table</c> or <c>create_distributed_table</c> call, in the order they must run.</summary>
public sealed record DistributionCall(QualifiedName Table, string? Column, QualifiedName? ColocateWith)
{
    public bool IsReference => Column is null;

    /// <summary>The call as SQL text, for people and for logs; the clone binds the same values as parameters.</summary>
    public override string ToString() => IsReference
        ? $"SELECT create_reference_table('{Table.Quoted.Replace("'", "''")}');"
        : ColocateWith is null
            ? $"SELECT create_distributed_table('{Table.Quoted.Replace("'", "''")}', '{Column!.Replace("'", "''")}');"
            : $"SELECT create_distributed_table('{Table.Quoted.Replace("'", "''")}', '{Column!.Replace("'", "''")}', colocate_with => '{ColocateWith.Quoted.Replace("'", "''")}');";
}
