namespace Follow.Pipeline;

/// <summary>Which of the phases a command asks for.</summary>
public enum MigrationScope
{
    /// <summary><c>follow clone --schema-only</c>: plan, schema, post-data without data.</summary>
    SchemaOnly,

    /// <summary><c>follow clone</c>: plan, schema, copy, post-data.</summary>
    Clone,

    /// <summary><c>follow clone --follow</c>: the clone, then stream until endpos and finish.</summary>
    CloneAndFollow,

    /// <summary><c>follow follow</c>: plan, then stream until endpos and finish.</summary>
    Follow,

    /// <summary><c>follow run</c>: from where the target's follow schema says the migration is.</summary>
    Resume,
}
