using Follow.Snapshot;
using Follow.TargetSchema;

namespace Follow.Pipeline;

public sealed record CloneOptions(
    SchemaCloneOptions Schema,
    CopyOptions Copy,
    OrphanPolicy Orphans = OrphanPolicy.Refuse,
    string SlotName = "follow",
    bool SlotNameGiven = true);
