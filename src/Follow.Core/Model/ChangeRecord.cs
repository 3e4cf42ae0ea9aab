namespace Follow.Model;

/// <summary>A change as Follow passes it between stages: its own records, values copied out of Npgsql's buffers.</summary>
public abstract record ChangeRecord
{
    /// <summary>About what the record holds in memory, for hand-overs bounded by bytes as well as by count.</summary>
    public virtual long EstimatedBytes => 64;
}
