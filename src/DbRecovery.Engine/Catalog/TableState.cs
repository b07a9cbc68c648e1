using System.Text.Json.Serialization;

namespace DbRecovery.Engine.Catalog;

/// <summary>One table (ordinary, partitioned or a partition) and everything defined on it.</summary>
public sealed record TableState
{
    /// <summary>The table's schema.</summary>
    public required string Schema { get; init; }

    /// <summary>The table's name.</summary>
    public required string Name { get; init; }

    /// <summary>Ordinary table, partitioned table or partition.</summary>
    public TableKind Kind { get; init; }

    /// <summary>For a partition: the table it is a partition of, as <c>schema.name</c>.</summary>
    public string? PartitionOf { get; init; }

    /// <summary>For a partition: its bound, e.g. <c>FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')</c>.</summary>
    public string? PartitionBound { get; init; }

    /// <summary>For a partitioned table: its partition key, e.g. <c>RANGE (created_at)</c>.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>The planner's row estimate; null when the table was never analyzed.</summary>
    public long? EstimatedRows { get; init; }

    /// <summary>Size including indexes and TOAST, in bytes: from the planner's page counts (as of the last VACUUM or
    /// ANALYZE), or, for a table never analyzed (whose counts say nothing), from its files.</summary>
    public long EstimatedSizeBytes { get; init; }

    /// <summary>Whether row-level security is enabled.</summary>
    public bool RowLevelSecurity { get; init; }

    /// <summary>Whether row-level security also applies to the table's owner.</summary>
    public bool ForceRowLevelSecurity { get; init; }

    /// <summary>Columns in ordinal order.</summary>
    public IReadOnlyList<ColumnState> Columns { get; init; } = [];

    /// <summary>Primary key, unique, check and exclusion constraints.</summary>
    public IReadOnlyList<ConstraintState> Constraints { get; init; } = [];

    /// <summary>Foreign keys defined on this table.</summary>
    public IReadOnlyList<ForeignKeyState> ForeignKeys { get; init; } = [];

    /// <summary>Indexes, including those behind constraints.</summary>
    public IReadOnlyList<IndexState> Indexes { get; init; } = [];

    /// <summary>User-defined triggers.</summary>
    public IReadOnlyList<TriggerState> Triggers { get; init; } = [];

    /// <summary>Row-level security policies.</summary>
    public IReadOnlyList<PolicyState> Policies { get; init; } = [];

    /// <summary>The primary key, if any.</summary>
    [JsonIgnore]
    public ConstraintState? PrimaryKey => Constraints.FirstOrDefault(c => c.Type == ConstraintType.PrimaryKey);

    /// <summary>The name as <c>schema.name</c>, for display.</summary>
    [JsonIgnore]
    public string QualifiedName => $"{Schema}.{Name}";

    /// <summary>Finds a column by exact name.</summary>
    public ColumnState? FindColumn(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <inheritdoc />
    public override string ToString() => QualifiedName;
}
