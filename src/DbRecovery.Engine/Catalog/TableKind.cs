namespace DbRecovery.Engine.Catalog;

/// <summary>What kind of table a <see cref="TableState"/> is.</summary>
public enum TableKind
{
    /// <summary>An ordinary table.</summary>
    Ordinary,

    /// <summary>A partitioned table (holds no rows itself).</summary>
    Partitioned,

    /// <summary>A partition of a partitioned table.</summary>
    Partition,
}
