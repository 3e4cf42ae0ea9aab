using Follow.Diagnostics;
using Follow.Model;

namespace Follow.Decode;

/// <summary>DDL on a streamed table: the stream stops rather than apply rows of a shape the target does not have.</summary>
public sealed class RelationChangedException(Relation before, Relation after) : FollowException(
    $"the source table {after.Name} changed while streaming: its columns were ({string.Join(", ", before.Columns.Select(c => c.Name))}) and are now ({string.Join(", ", after.Columns.Select(c => c.Name))}); "
    + "nothing after that change was applied. Make the same change on the target (adding the distribution column where the plan adds it), then run follow follow again",
    ExitCode.SourceFailure);
